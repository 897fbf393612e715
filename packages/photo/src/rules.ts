import type { RuleId } from './types.js';

/** Names of every rule, Chinese first (what people read) and English (for logs and reports). 规则名称 */
export const RULES: Record<RuleId, { zh: string; en: string; group: 'technical' | 'composition' | 'photographic' }> = {
  'format.jpeg': { zh: '文件格式（JPEG）', en: 'JPEG format', group: 'technical' },
  'format.baseline': { zh: '基线 JPEG／24 位彩色', en: 'Baseline 24-bit JPEG', group: 'technical' },
  'size.pixels': { zh: '像素尺寸', en: 'Pixel size', group: 'technical' },
  'size.bytes': { zh: '文件大小', en: 'File size', group: 'technical' },
  dpi: { zh: '分辨率（dpi）', en: 'Resolution (dpi)', group: 'technical' },
  quality: { zh: '压缩质量', en: 'JPEG quality', group: 'technical' },
  colour: { zh: '彩色照片', en: 'Colour photo', group: 'technical' },
  border: { zh: '边框／留白', en: 'Border or empty band', group: 'technical' },
  watermark: { zh: '水印', en: 'Watermark', group: 'technical' },
  name: { zh: '文件命名', en: 'File name', group: 'technical' },
  'face.count': { zh: '人脸数量', en: 'Face count', group: 'composition' },
  'geometry.head-top': { zh: '头顶位置（顶部最高点）', en: 'Head top', group: 'composition' },
  'geometry.eye-line': { zh: '眼睛位置（眼中线）', en: 'Eye line', group: 'composition' },
  'geometry.face-width': { zh: '脸宽（两条竖直基准线）', en: 'Face width', group: 'composition' },
  'geometry.centre': { zh: '人像居中（画中线）', en: 'Centred', group: 'composition' },
  'pose.roll': { zh: '头部倾斜（瞳孔平行）', en: 'Head roll', group: 'composition' },
  'pose.yaw': { zh: '左右转头', en: 'Head yaw', group: 'composition' },
  'pose.pitch': { zh: '抬头／低头', en: 'Head pitch', group: 'composition' },
  expression: { zh: '表情（睁眼、闭嘴、不露齿）', en: 'Expression', group: 'composition' },
  shoulders: { zh: '双肩平衡', en: 'Shoulders level', group: 'composition' },
  'background.colour': { zh: '背景颜色（浅蓝）', en: 'Background colour', group: 'photographic' },
  'background.uniform': { zh: '背景均匀（无阴影、无杂物）', en: 'Uniform background', group: 'photographic' },
  'clothing.contrast': { zh: '服装与背景区分', en: 'Clothing contrast', group: 'photographic' },
  exposure: { zh: '曝光与光照（阴阳脸）', en: 'Exposure', group: 'photographic' },
  sharpness: { zh: '清晰度', en: 'Sharpness', group: 'photographic' },
  glasses: { zh: '眼镜', en: 'Glasses', group: 'photographic' },
  headwear: { zh: '帽子／头饰', en: 'Headwear', group: 'photographic' },
  'hair.eyebrows': { zh: '头发遮挡眉毛', en: 'Hair over the eyebrows', group: 'photographic' },
  'hair.eyes': { zh: '头发遮挡眼睛', en: 'Hair over the eyes', group: 'photographic' },
  ears: { zh: '双耳露出', en: 'Ears visible', group: 'photographic' },
  earrings: { zh: '耳环／耳钉', en: 'Earrings', group: 'photographic' },
  necklace: { zh: '项链', en: 'Necklace', group: 'photographic' },
  scarf: { zh: '围巾', en: 'Scarf', group: 'photographic' },
  retouch: { zh: '美颜／修图', en: 'Retouching', group: 'photographic' },
};

/** Rule ids in the order of photo-standard.md. */
export const RULE_IDS = Object.keys(RULES) as RuleId[];

/**
 * Messages as clerks read them (面向老师的检测说明): the engine's messages of the photographic rules, with
 * their evidence and positions in pixels, become the verdict, the place in words and the plain numbers.
 */
import { describe, expect, it } from 'vitest';
import { messageForStaff, placeInWords } from './staffWords';

/** What a clerk cannot weigh: engine measures, frame pixels as coordinates, formulas. */
const RAW = /倍瞳距|马氏|纹理|ΔE|个小块|像素窗口|DC 图|x=|x \d|RGB\(|瞳距²|分位数/;

/** Messages the engine writes (taken from the rules' templates with real figures). */
const ENGINE = [
  '背景中有一小块与背景颜色不同的区域，占画面 0.25%（约在 x=92、y=413 处），请人工确认是否有杂物、阴影或原背景残留',
  '背景均匀：离散度 ΔE 0.4（≤ 12），色差 0.2（≤ 5），未见杂物、阴影或他人',
  '人像轮廓在头部旁或肩上有一处凸起（约在 x=396、y=400 处），凸出约 14% 脸宽，请人工确认是否有物体贴着头发或肩膀（也可能是发型）',
  '头发中有一块颜色远离本人发色（马氏距离 12，≥ 12 视为异色；与周围色差 25，≥ 25 视为边缘清晰；面积 0.041 倍瞳距²，≥ 0.03 即报告）（约 x 190–250，y 60–90），疑似发饰，请人工查看该处',
  '头顶有一条横跨 1.42 倍瞳距的异色带状物（约 x 150–330，y 40–70）（宽 ≥ 0.9 倍瞳距、面积 0.21 倍瞳距² ≥ 0.12、与周围色差 31 ≥ 25 视为带状），疑似发箍、发带，请人工查看头顶',
  '头顶高出眼睛 1.92 倍瞳距（参考上限 1.75），疑似戴帽子、头饰或发型过高，请人工确认',
  '头顶只见头发和皮肤（其他物体占 2%，未见发饰或发带，头顶高出眼睛 1.41 倍瞳距），未见帽子或头饰',
  '颈部皮肤上（约 x 200–280，y 470–520）有疑似项链的 U 形细线（42% 的竖列被截断，线上点 61%；参考上限 25%、线上点 ≥ 50% 时视为链状），疑似项链，请人工查看颈部和领口',
  '两侧耳部区域布满发丝（肤色占比 左 0.12、右 0.3，发丝纹理 左 0.71、右 0.64；参考 肤色 ≥ 0.35、发丝 < 0.5），疑似头发遮挡耳朵，请人工确认双耳是否露出',
  '疑似水印、文字或图案：文字笔画（最多 7 笔／窗口，限 5）（x 10–74，y 0–64），共 1 处（检查了整幅画面中浮在背景上的文字、图案和标志（含半透明，64 个小块）、顶部和两侧上方背景 280 个小块，以及整幅画面（含脸部、头发和衣服）上的文字笔画（77 个 64 像素窗口，每窗最多 7 笔，6 笔起疑））',
  '未发现水印或文字（快速筛查：在 1/8 DC 图上筛查了整幅画面中不与人像相连的纹理，顶部和两侧上方背景 280 个小块无文字状纹理；完全落在人像（脸部、衣服）上的水印在快速筛查中未测，需完整检查；纯色背景占 92%）',
  '服装颜色 RGB(96,150,220) 与背景相差 ΔE2000 = 8.2，小于 12',
  '背景颜色 RGB(200,200,198) 与标准 RGB(100,197,255) 相差 ΔE2000 = 31.5，超过 10',
  '唇间露齿像素占比 0.021，超过 0.012',
  '背景两侧／上下色差 ΔE2000 5.7，超过 5（渐变或阴影）',
];

describe('messageForStaff (检测说明)', () => {
  it('leaves no engine measure, pixel coordinate or formula in any of the photographic rules’ messages', () => {
    for (const m of ENGINE) {
      const shown = messageForStaff(m);
      expect(shown, m).not.toMatch(RAW);
      expect(shown, m).not.toMatch(/（）|，，|：，|，）|、，|色差 色差/);
    }
  });

  it('keeps the verdict, the place in words and the plain numbers with their limits', () => {
    expect(messageForStaff(ENGINE[0])).toBe('背景中有一小块与背景颜色不同的区域，占画面 0.25%（画面左侧），请人工确认是否有杂物、阴影或原背景残留');
    expect(messageForStaff(ENGINE[1])).toBe('背景均匀：颜色不均 0.4（≤ 12），色差 0.2（≤ 5），未见杂物、阴影或他人');
    expect(messageForStaff(ENGINE[3])).toBe('头发中有一块颜色远离本人发色（画面上方），疑似发饰，请人工查看该处');
    expect(messageForStaff(ENGINE[4])).toBe('头顶有一条异色带状物（画面上方），疑似发箍、发带，请人工查看头顶');
    expect(messageForStaff(ENGINE[5])).toBe('头顶高出眼睛较多（参考上限 1.75），疑似戴帽子、头饰或发型过高，请人工确认');
    expect(messageForStaff(ENGINE[8])).toBe('两侧耳部区域布满发丝，疑似头发遮挡耳朵，请人工确认双耳是否露出');
    expect(messageForStaff(ENGINE[9])).toBe('疑似水印、文字或图案：文字笔画（画面左上方），共 1 处');
    expect(messageForStaff(ENGINE[11])).toBe('服装颜色与背景色差 8.2，小于 12');
    expect(messageForStaff('背景两侧／上下色差 ΔE2000 5.7，超过 5（渐变或阴影）')).toBe('背景两侧／上下色差 5.7，超过 5（渐变或阴影）');
    expect(messageForStaff('双肩倾斜 9.1°（允许 ≤ 8°）')).toBe('双肩倾斜 9.1°（允许 ≤ 8°）');
    expect(messageForStaff('额头上部几乎不见皮肤（29%，参考下限 30%），可能是帽檐')).toBe('额头上部几乎不见皮肤（29%，参考下限 30%），可能是帽檐');
  });

  it('tells a place in thirds of the photo, of its own size when given', () => {
    expect(placeInWords(10, 10)).toBe('左上方');
    expect(placeInWords(240, 320)).toBe('中部');
    expect(placeInWords(470, 630)).toBe('右下方');
    expect(placeInWords(400, 10, { width: 1200, height: 1600 })).toBe('上方');
  });
});

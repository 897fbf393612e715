import { describe, expect, it } from 'vitest';
import { AUDIT_ACTION_LABELS, auditChangeText, auditObjectName } from './audit-words.js';

describe('audit log in people’s words', () => {
  it('writes a change as Chinese fields and values, not JSON', () => {
    expect(auditChangeText({ state: 'applied' }, { state: 'submitted', photoId: 15 })).toBe(
      '状态：学生已申请 → 学习中心已提交；照片：15',
    );
    expect(auditChangeText(null, { chsiPhotoMissing: false, sha256: 'ab' })).toBe('学信网缺学历照片：否');
    expect(auditChangeText({ programme: '法学' }, {})).toBe('专业：法学 →（删除）');
  });
  it('names the object from the entry and labels every action the server writes', () => {
    expect(auditObjectName(null, { name: '王芳', xuehao: '2337001200003' })).toBe('王芳（2337001200003）');
    expect(auditObjectName({ username: 'lixia' }, null)).toBe('lixia');
    for (const a of ['submit', 'national_approve', 'photo_human_review', 'chsi_photo_confirmed', 'reveal_id_card'])
      expect(AUDIT_ACTION_LABELS[a], a).toMatch(/[\u4e00-\u9fa5]/);
  });
});

/**
 * The photographic rules measured one module per rule (拍摄规则，每条规则一个模块; OFIQ's model): each
 * module measures its native value on the shared analysis and returns one `CheckResult` with its limit,
 * status, Chinese message, hint and stable code. A rule that could not look at its region says `review`
 * with an `*_UNMEASURED` code — never `pass`.
 */
import type { CheckResult, RuleId } from '../../types.js';
import type { FaceAnalysis } from '../analysis.js';
import { checkEarrings } from './earrings.js';
import { checkEars } from './ears.js';
import { checkHairEyebrows } from './hair-eyebrows.js';
import { checkHairEyes } from './hair-eyes.js';
import { checkHeadwear } from './headwear.js';
import { checkNecklace } from './necklace.js';
import { checkScarf } from './scarf.js';

/** Accessory and hair rules in report order (饰品与头发遮挡). */
export const ACCESSORY_RULES: { id: RuleId; check(a: FaceAnalysis): CheckResult }[] = [
  { id: 'headwear', check: checkHeadwear },
  { id: 'hair.eyebrows', check: checkHairEyebrows },
  { id: 'hair.eyes', check: checkHairEyes },
  { id: 'ears', check: checkEars },
  { id: 'earrings', check: checkEarrings },
  { id: 'necklace', check: checkNecklace },
  { id: 'scarf', check: checkScarf },
];

/**
 * The crown at pixel resolution (头顶逐像素分析), for `headwear`, one file per measure:
 *
 * - crown/colour.ts — `analyseCrown`: the hair's own colour model and the patches that are not hair, skin or a
 *   mix of them (a clip, a bow, a flower of another colour), and the band across the forehead.
 * - crown/texture.ts — `crownTexture`: smooth objects with a sharp outline whatever their colour (5×5 fit of L*),
 *   with the two measures below on the same grid.
 * - crown/rhinestones.ts — a row of evenly spaced near-white stones (a clip set with rhinestones).
 * - crown/light-body.ts — a solid light body (a white clip where sheen, grey hair or pale skin are light too).
 * - crown/grid.ts — their shared grid work (buffers, Lab, selection, flood fill, integral images).
 */
export * from './crown/colour.js';
export { crownTexture, smoothBlobs, SMOOTH_RESIDUAL, type CrownTexture, type SmoothBlob } from './crown/texture.js';
export * from './crown/rhinestones.js';
export * from './crown/light-body.js';
export { select } from './crown/grid.js';

/**
 * Write the JFIF APP0 density (JFIF 分辨率) into a JPEG without re-encoding: patch the existing APP0,
 * or insert a JFIF APP0 right after SOI when the encoder wrote none.
 */
import { parseJpeg } from './parse.js';

/** Return a copy of `jpeg` whose JFIF header says `dpi` dots per inch in both directions. */
export function withJfifDensity(jpeg: Buffer, dpi: number): Buffer {
  const s = parseJpeg(jpeg);
  const d = Math.max(1, Math.min(65535, Math.round(dpi)));
  if (s.jfif) {
    const out = Buffer.from(jpeg);
    out[s.jfif.unitsOffset] = 1;
    out.writeUInt16BE(d, s.jfif.unitsOffset + 1);
    out.writeUInt16BE(d, s.jfif.unitsOffset + 3);
    return out;
  }
  const app0 = Buffer.alloc(18);
  app0.writeUInt16BE(0xffe0, 0);
  app0.writeUInt16BE(16, 2);
  app0.write('JFIF\0', 4, 'latin1');
  app0[9] = 1; // version 1.01
  app0[10] = 1;
  app0[11] = 1; // units: dots per inch
  app0.writeUInt16BE(d, 12);
  app0.writeUInt16BE(d, 14);
  app0[16] = 0; // no thumbnail
  app0[17] = 0;
  return Buffer.concat([jpeg.subarray(0, 2), app0, jpeg.subarray(2)]);
}

import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import ExcelJS from 'exceljs';
import { parseRoster, normaliseTerm, parseHeaderMap, type Roster } from './roster.js';
import { decodeText, parseCsv } from './csv.js';
import { RosterError } from './errors.js';
import { badCheck, idCard, xlsx } from './testkit.test-util.js';

const today = new Date(Date.UTC(2026, 0, 15));
const HEAD = ['学号', '身份证号', '姓名', '学习中心', '专业', '层次', '入学学期', '手机号'];

function codesAt(r: Roster, row: number): string[] {
  return r.problems.filter((p) => p.row === row).map((p) => p.code);
}

describe('parseRoster — XLSX', () => {
  it('loads good rows and reports each bad row with the row number Excel shows', async () => {
    const a = idCard('19900101', 11);
    const b = idCard('19851231', 22);
    const c = idCard('20000229', 33);
    const bytes = await xlsx(
      [
        HEAD,
        ['1837001400001', a, '张三', '济南学习中心', '行政管理', '专升本', '2018春', '13800138000'], // row 3
        ['1837001400002', badCheck(b), '李四', '', '', '本科', '2018秋', ''], // row 4: bad check char
        ['1837001400003', '370102' + '19990230' + '0415', '王五', '', '', '专科', '201803', ''], // row 5: impossible date
        ['183700140004', c, '赵六', '', '', '专科', '', ''], // row 6: bad 学号 (12 digits)
        ['1837001400005', idCard('19910101', 55), '', '', '', '', '', ''], // row 7: no name
        ['1837001400001', idCard('19920101', 66), '钱七', '', '', '', '', ''], // row 8: duplicate 学号 of row 3
        ['1837001400008', a, '孙八', '', '', '', '', ''], // row 9: duplicate 身份证号 of row 3
        ['1837001400009', c, '周九', '', '', '高起专', '201809', '138-0013-8001'], // row 10: good
      ],
      { titleRow: '2026年1月毕业生名册' },
    );
    const r = await parseRoster(bytes, { fileName: '名册.xlsx', today });
    expect(r.format).toBe('xlsx');
    expect(r.headerRow).toBe(2);
    expect(r.rowCount).toBe(8);
    expect(r.students.map((s) => s.row)).toEqual([3, 10]);
    const first = r.students[0];
    expect(first).toMatchObject({
      xuehao: '1837001400001',
      idCard: a,
      name: '张三',
      centre: '济南学习中心',
      programme: '行政管理',
      level: '本科',
      enrolmentTerm: '2018春',
      phone: '13800138000',
    });
    expect(r.students[1]).toMatchObject({ level: '专科', enrolmentTerm: '2018秋', phone: '13800138001' });
    expect(codesAt(r, 4)).toEqual(['IDCARD_CHECK_CHAR']);
    expect(codesAt(r, 5)).toEqual(['IDCARD_BIRTH_DATE']);
    expect(codesAt(r, 6)).toEqual(['XUEHAO_FORMAT']);
    expect(codesAt(r, 7)).toEqual(['NAME_MISSING']);
    expect(codesAt(r, 8)).toEqual(['DUPLICATE_XUEHAO']);
    expect(codesAt(r, 9)).toEqual(['DUPLICATE_IDCARD']);
    for (const p of r.problems) expect(p.message.startsWith(`第 ${p.row} 行：`)).toBe(true);
    expect(r.problems.find((p) => p.row === 8)?.message).toContain('与第 3 行重复');
    expect(r.problems.find((p) => p.row === 4)?.message).toContain('校验位错误');
  });

  it('recovers a 学号 stored as a number and reports a 身份证号 whose precision Excel lost', async () => {
    const good = idCard('19900101', 11);
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Sheet1');
    ws.addRow(['学号', '身份证号', '姓名']);
    ws.addRow([1837001400001, good, '张三']); // row 2: 学号 as a number → recovered
    ws.addRow(['1837001400002', 370102199001010000, '李四']); // row 3: 身份证号 as a number (1.1e17-like) → lost
    ws.addRow([837001400003, good.replace('1990', '1991').slice(0, 17) + 'X', '王五']); // row 4: leading 0 lost → padded (id may be bad)
    const r = await parseRoster(Buffer.from(await wb.xlsx.writeBuffer()), { fileName: 'r.xlsx', today });
    expect(r.students[0]).toMatchObject({ row: 2, xuehao: '1837001400001', idCard: good });
    expect(codesAt(r, 2)).toEqual(['XUEHAO_STORED_AS_NUMBER']);
    expect(r.problems.find((p) => p.row === 2)?.severity).toBe('warning');
    expect(codesAt(r, 3)).toEqual(['IDCARD_PRECISION_LOST']);
    expect(r.problems.find((p) => p.row === 3)?.message).toContain('身份证号被 Excel 存为数字，精度已丢失');
    expect(r.problems.find((p) => p.row === 4 && p.code === 'XUEHAO_STORED_AS_NUMBER')?.message).toContain(
      '0837001400003',
    );
  });

  it('maps other headers with --map and accepts the alias headers', async () => {
    const bytes = await xlsx([
      ['学生编号', '证件号码', '学生姓名', '教学点', '入学批次'],
      ['1837001400001', idCard('19900101', 11).toLowerCase(), '张三', '历下教学点', '2018年秋季'],
    ]);
    await expect(parseRoster(bytes, { fileName: 'r.xlsx', today })).rejects.toMatchObject({ code: 'ROSTER_NO_HEADER' });
    const r = await parseRoster(bytes, { fileName: 'r.xlsx', today, headerMap: parseHeaderMap(['学生编号=学号']) });
    expect(r.columns).toMatchObject({
      xuehao: '学生编号',
      idCard: '证件号码',
      name: '学生姓名',
      centre: '教学点',
      enrolmentTerm: '入学批次',
    });
    expect(r.students[0]).toMatchObject({
      xuehao: '1837001400001',
      idCard: idCard('19900101', 11),
      centre: '历下教学点',
      enrolmentTerm: '2018秋',
    });
    expect(() => parseHeaderMap(['学生编号=学籍'])).toThrow(RosterError);
    expect(() => parseHeaderMap(['学生编号'])).toThrow(/格式不对/);
  });

  it('refuses old .xls, empty files and files without a header, with codes', async () => {
    await expect(
      parseRoster(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), { fileName: 'a.xls', today }),
    ).rejects.toMatchObject({ code: 'ROSTER_XLS_UNSUPPORTED' });
    await expect(parseRoster(Buffer.alloc(0), { fileName: 'a.csv', today })).rejects.toMatchObject({
      code: 'ROSTER_EMPTY',
    });
    await expect(parseRoster(Buffer.from('a,b,c\n1,2,3\n'), { fileName: 'a.csv', today })).rejects.toMatchObject({
      code: 'ROSTER_NO_HEADER',
    });
    await expect(parseRoster(Buffer.from('not a zip'), { fileName: 'a.xlsx', today })).rejects.toMatchObject({
      code: 'ROSTER_UNREADABLE',
    });
  });

  it("answers a picture or PDF given as a roster in a clerk's words, command-line advice kept for the CLI", async () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);
    const err = await parseRoster(png, { fileName: '名册.png', today }).catch((e: unknown) => e as RosterError);
    expect(err).toMatchObject({ code: 'ROSTER_NOT_A_TABLE' });
    expect((err as RosterError).message).toContain('不是名册，而是一张 PNG 图片');
    expect((err as RosterError).message).not.toMatch(/塒|--|gradpass|第一行是/);
    await expect(parseRoster(Buffer.from('%PDF-1.7\n...'), { fileName: 'a.csv', today })).rejects.toMatchObject({
      code: 'ROSTER_NOT_A_TABLE',
    });
    await expect(
      parseRoster(Buffer.from([1, 2, 3, 0, 0, 0, 4, 5, 6, 0, 7, 8]), { fileName: 'a.csv', today }),
    ).rejects.toMatchObject({ code: 'ROSTER_NOT_A_TABLE' });
    const noHeader = (await parseRoster(Buffer.from('学生编号,学生姓名\n1,2\n'), { fileName: 'a.csv', today }).catch(
      (e: unknown) => e,
    )) as RosterError;
    expect(noHeader.message).toContain('第一行是：学生编号、学生姓名');
    expect(noHeader.message).not.toContain('--map');
    expect(noHeader.cliHint).toContain('--map 学生编号=学号');
  });
});

describe('parseRoster — CSV', () => {
  it('reads GBK (GB18030) CSV as Excel on Chinese Windows saves it', async () => {
    const id = idCard('19880808', 17);
    const text = [
      '学号,身份证号码,姓名,教学点,专业,层次,入学批次',
      `1837001400001,${id},欧阳娜娜,市南教学点,会计学,专升本,2019春`,
      `1837001400002,${badCheck(id)},李四,市南教学点,会计学,本科,2019春`,
    ].join('\r\n');
    const bytes = iconv.encode(text, 'gbk');
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
    const r = await parseRoster(bytes, { fileName: '名册.csv', today });
    expect(r.format).toBe('csv');
    expect(r.encoding).toBe('gb18030');
    expect(r.students).toHaveLength(1);
    expect(r.students[0]).toMatchObject({
      name: '欧阳娜娜',
      centre: '市南教学点',
      level: '本科',
      enrolmentTerm: '2019春',
      idCard: id,
    });
    expect(r.problems).toMatchObject([{ row: 3, code: 'IDCARD_CHECK_CHAR', severity: 'error' }]);
  });

  it('reads UTF-8 with a BOM, quoted cells and reports scientific-notation identifiers', async () => {
    const text =
      '\ufeff学号,身份证号,姓名\n"1837001400001","11010519491231002x","张,三"\n1837001400002,1.10105E+17,李四\n';
    const r = await parseRoster(Buffer.from(text, 'utf8'), { fileName: 'r.csv', today });
    expect(r.encoding).toBe('utf-8-bom');
    expect(r.students).toEqual([{ row: 2, xuehao: '1837001400001', idCard: '11010519491231002X', name: '张,三' }]);
    expect(codesAt(r, 3)).toEqual(['IDCARD_PRECISION_LOST']);
  });

  it('reads UTF-16 tab-separated "Unicode text"', () => {
    const text = '学号\t姓名\r\n1837001400001\t张三\r\n';
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const d = decodeText(bytes);
    expect(d.encoding).toBe('utf-16le');
    expect(parseCsv(d.text)).toEqual([
      { line: 1, cells: ['学号', '姓名'] },
      { line: 2, cells: ['1837001400001', '张三'] },
    ]);
  });

  it('numbers CSV records by the line they start on, across quoted line breaks and blank lines', () => {
    const recs = parseCsv('学号,姓名,备注\n1,"a\nb",x\n\n2,c,y\n');
    expect(recs.map((r) => r.line)).toEqual([1, 2, 5]);
    expect(recs[1].cells[1]).toBe('a\nb');
  });
});

describe('normaliseTerm', () => {
  it.each([
    ['2018春', '2018春'],
    ['2018秋', '2018秋'],
    ['2018年春季', '2018春'],
    ['18秋', '2018秋'],
    ['201803', '2018春'],
    ['201809', '2018秋'],
    ['2018-09', '2018秋'],
    ['2018-03-01', '2018春'],
    ['明年', undefined],
  ])('%s → %s', (input, expected) => {
    expect(normaliseTerm(input)).toBe(expected);
  });
});

describe('parseRoster — large CSV files', () => {
  it('reads a UTF-8 roster longer than the header look-ahead whole, whatever byte the look-ahead ends on', async () => {
    // mostly 3-byte characters; shifting by 0, 1, 2 bytes puts the 64 KB mark inside a character at least once
    for (const pad of [0, 1, 2]) {
      const lines = ['学号,姓名,身份证号,专业,层次,入学学期'];
      for (let i = 0; i < 3000; i++)
        lines.push(
          `2337001${300000 + i},学生甲乙丙丁戊己庚辛,${idCard('19970101', i % 1000)},汉语言文学${i ? '' : 'x'.repeat(pad)},本科,2023秋`,
        );
      const r = await parseRoster(Buffer.from(lines.join('\n')), { fileName: 'r.csv', today });
      expect(r.encoding, `pad ${pad}`).toBe('utf-8');
      expect(r.students[0].name).toBe('学生甲乙丙丁戊己庚辛');
      expect(r.students.length + r.problems.filter((p) => p.severity === 'error').length).toBeGreaterThanOrEqual(3000);
    }
  });
  it('refuses a large file that is not a roster from its first 64 KB, not after decoding all of it', async () => {
    const e = await parseRoster(Buffer.alloc(8 * 1024 * 1024, 0xff), { fileName: 'x.csv', today }).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(RosterError);
    expect((e as RosterError).code).toBe('ROSTER_NO_HEADER');
  });
});

import { mdText, renderHtml, renderMarkdown, type ReportDoc } from './daily-report.render';

const doc = (name: string): ReportDoc => ({
  lang: 'en',
  title: 'Bluezone installation report for 21/08/2020',
  lead: ['To: the Chairman'],
  sections: [
    {
      heading: '4. Units below target and their heads',
      paragraphs: [`${name} — Members 100%: At risk → Breached.`],
      table: { headers: ['Unit', 'Head'], rows: [[name, 'Nguyễn Văn A']] },
    },
  ],
});

describe('daily report rendering', () => {
  it('given a unit name with HTML, then the Markdown carries it as text: no tag a viewer would render', () => {
    const md = renderMarkdown(doc('<script>alert(1)</script><img src=x onerror=alert(2)>'));
    expect(md).not.toMatch(/<script|<img/i);
    expect(md).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;');
  });

  it('given Markdown syntax in a name, then it is escaped: no link, emphasis, table cell or heading', () => {
    expect(mdText('[x](javascript:alert(1)) *b* `c` a|b')).toBe('\\[x\\](javascript:alert(1)) \\*b\\* \\`c\\` a\\|b');
    expect(mdText('# Title')).toBe('\\# Title');
    expect(mdText('- item')).toBe('\\- item');
    expect(mdText('1. first')).toBe('1\\. first');
    expect(mdText('line\nbreak')).toBe('line break');
    expect(renderMarkdown(doc('Huyện Càng Long'))).toContain('| Huyện Càng Long | Nguyễn Văn A |');
  });

  it('given a style nonce, then the HTML style block carries it and names stay escaped', () => {
    const html = renderHtml(doc('<b>x</b>'), 'abc123');
    expect(html).toContain('<style nonce="abc123">');
    expect(html).toContain('&lt;b&gt;x&lt;/b&gt;');
  });

  it('given a sub-section, then its heading is one level below the sections’ in Markdown and HTML', () => {
    const d = doc('Huyện Càng Long');
    const withSub: ReportDoc = { ...d, sections: [...d.sections, { heading: '4.1. Target “Members 100%”', sub: true, paragraphs: [] }] };
    expect(renderMarkdown(withSub)).toContain('\n### 4\\.1. Target “Members 100%”\n');
    expect(renderMarkdown(withSub)).toContain('\n## 4\\. Units below target and their heads\n');
    expect(renderHtml(withSub, 'n')).toContain('<h3>4.1. Target “Members 100%”</h3>');
    expect(renderHtml(withSub, 'n')).toContain('<h2>4. Units below target and their heads</h2>');
  });
});

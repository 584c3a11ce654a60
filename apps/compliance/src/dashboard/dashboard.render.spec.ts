import { freshnessLine, headerTools, withRosterLink } from './dashboard-html';
import { bar, esc, query, renderLogin, vietnamTime } from './dashboard.render';

describe('dashboard rendering', () => {
  it("puts the workforce service's roster page first among the header's tools, in the page's language", () => {
    const html = '<header><div><h1>T</h1></div><div class="tools"><a href="/?lang=en">English</a></div></header>';
    expect(withRosterLink(html, 'vi', 'http://127.0.0.1:3004/')).toBe(
      '<header><div><h1>T</h1></div><div class="tools"><a class="rosters" href="http://127.0.0.1:3004/rosters?lang=vi">Tải lên danh sách người lao động</a><a href="/?lang=en">English</a></div></header>',
    );
    expect(withRosterLink(html, 'en', 'https://workforce.example')).toContain(
      'href="https://workforce.example/rosters?lang=en">Upload worker rosters</a>',
    );
  });

  it('escapes text for content and both kinds of quoted attributes', () => {
    expect(esc(`<a href="x" onclick='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
    expect(esc(null)).toBe('');
  });

  it('shows an event time in Vietnam time (UTC+7), across midnight', () => {
    expect(vietnamTime('2020-08-21T20:15:30.000Z')).toBe('03:15:30 22/08/2020');
  });

  it('draws a bar clamped to the track, empty without a value, with Vietnamese percentages', () => {
    const over = bar('vi', 1.2, 0.5, 'met', 100);
    expect(over).toContain('class="fill s-met" width="100"');
    expect(over).toContain('x1="50"');
    expect(over).toContain('120,00% / 50,00%');
    const none = bar('en', null, 1, null, 100);
    expect(none).toContain('class="fill s-no_data" width="0"');
    expect(none).toContain('— / 100.00%');
  });

  it('builds query strings that a crafted value cannot break out of', () => {
    expect(query({ date: '2020-08-21', lang: undefined, x: 'a&b=<c>' })).toBe('?date=2020-08-21&x=a%26b%3D%3Cc%3E');
  });

  it('asks for the key in the chosen language and carries the day back through the form', () => {
    const html = renderLogin('en', 'n0nce', { date: '2020-08-21', message: '<oops>' });
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('<style nonce="n0nce">');
    expect(html).toContain('<input type="hidden" name="date" value="2020-08-21">');
    expect(html).toContain('&lt;oops&gt;');
    expect(html).not.toContain('<script');
  });

  it('offers the campaign days as dd/mm/yyyy whatever the browser locale, the day shown selected', () => {
    const html = headerTools('vi', '/', '2020-08-30', ['2020-08-31', '2020-08-30', '2020-08-29']);
    expect(html).toContain(
      '<select name="date"><option value="2020-08-31">31/08/2020</option><option value="2020-08-30" selected>30/08/2020</option>',
    );
    expect(html).not.toContain('type="date"');
  });

  it("says when the day's figures were last updated, in Vietnam time to the second, never an event's raw timestamp", () => {
    const line = freshnessLine('vi', { date: '2020-08-29', updatedAt: '2020-08-30T17:05:12+07:00', latestDate: '2020-08-30' });
    expect(line).toContain('<strong>Ngày 29/08/2020</strong>');
    expect(line).toContain('Số liệu ngày 29/08/2020 cập nhật lần cuối lúc 17:05:12 30/08/2020 (giờ Việt Nam).');
    expect(line).toContain('Ngày mới nhất có số liệu: 30/08/2020.');
    expect(freshnessLine('en', { date: '2020-08-01', updatedAt: null, latestDate: null })).toContain('No report up to this day.');
  });
});

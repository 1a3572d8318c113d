import { normalizeContent, chunkDocument } from './dist/index.js';
const html = `<!doctype html><html><head><title>T</title><style>p{color:red}</style><script>var x=1;</script></head><body><nav><a href="/">Home</a></nav><h1>Main  Title</h1><script>alert("x")</script><p>Hello <a href="https://x.y/z">link text</a> world.   Caf\u0065\u0301 &amp; more&nbsp;here.</p><ul><li>one</li><li>two <b>bold</b></li></ul><ol><li>first</li><li>second</li></ol><h2>Sub <em>heading</em></h2><p>Para two.</p><table><tr><th>Name</th><th>Value</th></tr><tr><td>a</td><td>1</td></tr></table><pre>code\n  indented</pre><img src="x.png" alt="alt text"><noscript>no js</noscript><h3>Third</h3><p>End.</p></body></html>`;
const out = normalizeContent({ content: html, contentType: 'text/html; charset=utf-8' });
console.log(JSON.stringify(out)); console.log(out);
console.log(chunkDocument({ text: '# Guide\n\n## Install\n\nRun it.\n\n## Use\n\nCall it.', policy: 'default', countTokens: (t) => t.split(/\s+/).length }));

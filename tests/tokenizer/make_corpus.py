#!/usr/bin/python3
"""Builds the tokenizer test corpus in tests/data/tokenizer/ from files on a Debian 12 machine
(the licenses, Python's standard library, system headers, node_modules, translation catalogs) and
from text generated here with a fixed seed. The output is committed; this script records how it was
made (see tests/data/tokenizer/README.md). Run from the repository root:

    /usr/bin/python3 tests/tokenizer/make_corpus.py
"""
import gettext
import glob
import json
import os
import random
import unicodedata

OUT = 'tests/data/tokenizer'
NODE = 'build/node/node_modules'
SEP = '\n'


def read(path, limit=None):
    with open(path, encoding='utf-8', errors='replace') as f:
        text = f.read()
    return text if limit is None else text[:limit]


def take(paths, budget, per_file=None):
    """Concatenates files (each under a header line naming it) until `budget` characters."""
    out = []
    size = 0
    for p in paths:
        if not os.path.isfile(p):
            continue
        text = read(p, per_file)
        out.append('=== %s ===\n%s\n' % (p, text))
        size += len(text)
        if size >= budget:
            break
    return ''.join(out)


def write(name, text):
    with open(os.path.join(OUT, name), 'w', encoding='utf-8', newline='') as f:
        f.write(text)
    print('%-24s %8d bytes' % (name, len(text.encode('utf-8'))))


def prose():
    licenses = ['/usr/share/common-licenses/' + n for n in
                ['GPL-3', 'Apache-2.0', 'MPL-2.0', 'LGPL-2.1', 'Artistic', 'GFDL-1.3', 'CC0-1.0']]
    text = take(licenses, 250_000)
    # English reference prose: the topics of Python's documentation (pydoc_data, PSF license).
    topics = read('/usr/lib/python3.11/pydoc_data/topics.py')
    text += '=== /usr/lib/python3.11/pydoc_data/topics.py (excerpt) ===\n' + topics[:150_000]
    return text


def code_c():
    names = ['stdio.h', 'stdlib.h', 'string.h', 'unistd.h', 'fcntl.h', 'signal.h', 'pthread.h',
             'elf.h', 'regex.h', 'math.h', 'time.h', 'errno.h', 'netdb.h', 'wchar.h']
    c = take(['/usr/include/' + n for n in names], 200_000)
    cpp = take(['/usr/include/c++/12/bits/' + n for n in
                ['stl_vector.h', 'unordered_map.h', 'shared_ptr_base.h', 'basic_string.h',
                 'stl_algo.h']], 150_000, per_file=60_000)
    return c + cpp


def code_python():
    names = ['json/decoder.py', 'json/encoder.py', 'argparse.py', 'textwrap.py', 'heapq.py',
             'bisect.py', 'functools.py', 'dataclasses.py', 'pathlib.py', 'subprocess.py',
             'shlex.py', 'csv.py', 'string.py']
    return take(['/usr/lib/python3.11/' + n for n in names], 300_000, per_file=45_000)


def code_js():
    pats = ['@anthropic-ai/sdk/resources/messages/messages.d.ts', '@anthropic-ai/sdk/core.js',
            '@anthropic-ai/sdk/streaming.js', '@anthropic-ai/sdk/error.js',
            'node-llama-cpp/dist/evaluator/LlamaModel/LlamaModel.js',
            'node-llama-cpp/dist/evaluator/LlamaModel/LlamaModel.d.ts',
            'node-llama-cpp/dist/chatWrappers/QwenChatWrapper.js',
            'node-llama-cpp/dist/utils/StopGenerationDetector.js']
    paths = []
    for p in pats:
        paths += sorted(glob.glob(os.path.join(NODE, p)))
    return take(paths, 300_000, per_file=60_000)


RUST = '''
use std::collections::HashMap;
use std::fmt;

/// A {name} keeps {what} keyed by id.
#[derive(Debug, Clone, Default)]
pub struct {Name} {{
    entries: HashMap<u64, String>,
    limit: usize,
}}

impl {Name} {{
    pub fn new(limit: usize) -> Self {{
        Self {{ entries: HashMap::with_capacity(limit), limit }}
    }}

    pub fn insert(&mut self, id: u64, value: &str) -> Result<(), String> {{
        if self.entries.len() >= self.limit {{
            return Err(format!("{name} is full ({{}} of {{}})", self.entries.len(), self.limit));
        }}
        self.entries.insert(id, value.to_owned());
        Ok(())
    }}

    pub fn get(&self, id: u64) -> Option<&str> {{
        self.entries.get(&id).map(|s| s.as_str())
    }}
}}

impl fmt::Display for {Name} {{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {{
        write!(f, "{Name}({{}}/{{}})", self.entries.len(), self.limit)
    }}
}}

#[cfg(test)]
mod tests {{
    use super::*;

    #[test]
    fn rejects_when_full() {{
        let mut c = {Name}::new({n});
        for i in 0..{n} {{ c.insert(i, "x").unwrap(); }}
        assert!(c.insert({n}, "y").is_err());
        assert_eq!(c.get(0), Some("x"));
    }}
}}
'''

JAVA = '''
package org.example.{pkg};

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** {Name} collects {what}; not thread-safe. */
public final class {Name} implements Comparable<{Name}> {{
    private final List<String> items = new ArrayList<>();
    private final int capacity;

    public {Name}(int capacity) {{
        if (capacity <= 0) {{
            throw new IllegalArgumentException("capacity must be > 0, got " + capacity);
        }}
        this.capacity = capacity;
    }}

    public boolean add(String item) {{
        Objects.requireNonNull(item, "item");
        if (items.size() >= capacity) return false;
        return items.add(item);
    }}

    @Override
    public int compareTo({Name} other) {{
        return Integer.compare(items.size(), other.items.size());
    }}

    @Override
    public String toString() {{
        return String.format("{Name}[%d/%d]", items.size(), capacity);
    }}

    public static void main(String[] args) {{
        {Name} x = new {Name}({n});
        for (int i = 0; i < {n}; i++) x.add("item-" + i);
        System.out.println(x + " full=" + !x.add("extra"));
    }}
}}
'''

SHELL_SESSION = '''$ cd ~/src/{name} && git status --short
 M src/{name}.c
?? build/
$ make -j{n} 2>&1 | tail -3
cc -O2 -Wall -c src/{name}.c -o build/{name}.o
cc -o build/{name} build/{name}.o -lm
make: Leaving directory '/home/dev/src/{name}'
$ ./build/{name} --count={n} --name="{Name}" < input.txt > out.txt; echo "exit=$?"
exit=0
$ ls -la build/
total {total}
drwxr-xr-x  2 dev dev  4096 Mar {day} 10:{minute:02d} .
drwxr-xr-x 12 dev dev  4096 Mar {day} 10:{minute:02d} ..
-rwxr-xr-x  1 dev dev {size} Mar {day} 10:{minute:02d} {name}
-rw-r--r--  1 dev dev  {osize} Mar {day} 10:{minute:02d} {name}.o
$ grep -rn "TODO\\|FIXME" src/ | head -n 2
src/{name}.c:{line}:    /* TODO: handle EINTR */
src/{name}.c:{line2}:    // FIXME(dev): {what}
$ for f in *.txt; do wc -l "$f"; done | sort -n | awk '{{ s += $1 }} END {{ print s }}'
{total}
$ curl -s http://localhost:8080/v1/models | jq '.data[0].id'
"{name}-{n}b"
'''


def code_misc(rng):
    words = ['cache', 'queue', 'ledger', 'router', 'buffer', 'index', 'registry', 'pool',
             'journal', 'bucket', 'shard', 'window', 'batch', 'session', 'tracker']
    whats = ['pending requests', 'token ids', 'open files', 'user sessions', 'prefix hashes']
    parts = []
    # Go: the persistent-https helper of git's contrib (GPL-2).
    parts.append(take(sorted(glob.glob('/usr/share/doc/git/contrib/persistent-https/*.go')),
                      60_000))
    # Shell: scripts of git's contrib (GPL-2).
    parts.append(take(sorted(glob.glob('/usr/share/doc/git/contrib/*.sh')) +
                      sorted(glob.glob('/usr/share/doc/git/contrib/subtree/*.sh')), 60_000))
    for i in range(40):
        w = rng.choice(words)
        d = dict(name=w, Name=w.capitalize() + str(i), what=rng.choice(whats),
                 n=rng.randint(2, 64), pkg=w + str(i))
        parts.append('=== generated Rust %d ===\n' % i + RUST.format(**d))
        parts.append('=== generated Java %d ===\n' % i + JAVA.format(**d))
    for i in range(60):
        w = rng.choice(words)
        d = dict(name=w, Name=w.capitalize(), n=rng.randint(2, 16), total=rng.randint(8, 4000),
                 day=rng.randint(1, 28), minute=rng.randint(0, 59), size=rng.randint(10000, 99999),
                 osize=rng.randint(1000, 9999), line=rng.randint(10, 300),
                 line2=rng.randint(300, 900), what=rng.choice(whats))
        parts.append('=== generated shell session %d ===\n' % i + SHELL_SESSION.format(**d))
    return ''.join(parts)


def json_data(rng):
    parts = []
    for p in sorted(glob.glob(os.path.join(NODE, '*/package.json')))[:60]:
        parts.append(read(p))
    # Generated API-like documents: nested objects, escapes, unicode, numbers.
    for i in range(300):
        doc = {
            'id': 'msg_%016x' % rng.getrandbits(64),
            'type': 'message',
            'role': rng.choice(['user', 'assistant']),
            'content': [{'type': 'text', 'text': rng.choice([
                'Hello, world!', 'Line one\nLine two\ttabbed', 'Quote: "yes" \\ backslash',
                'Ünïcödé — “quotes” and ‘single’ …', '数字 12345 和 English words',
                'emoji 🎉🚀 and ✓ marks']) }],
            'usage': {'input_tokens': rng.randint(1, 200000), 'output_tokens': rng.randint(1, 8192),
                      'ratio': round(rng.random() * 100, 6), 'exp': rng.choice([1e-9, 3.5e12, -0.0])},
            'tags': [rng.choice(['a', 'bb', 'ccc', 'dddd']) for _ in range(rng.randint(0, 6))],
        }
        if i % 3 == 0:
            parts.append(json.dumps(doc, ensure_ascii=False, indent=2))
        elif i % 3 == 1:
            parts.append(json.dumps(doc, ensure_ascii=True))
        else:
            parts.append(json.dumps(doc, ensure_ascii=False, separators=(',', ':')))
    return '\n'.join(parts) + '\n'


def catalog(path, budget):
    with open(path, 'rb') as f:
        cat = gettext.GNUTranslations(f)._catalog
    out = []
    size = 0
    for key in sorted(cat, key=str):
        msg = cat[key]
        if not isinstance(msg, str) or not msg.strip() or key == '':
            continue
        out.append(msg)
        size += len(msg)
        if size >= budget:
            break
    return '\n'.join(out)


def multilingual():
    sources = [
        ('zh_CN', 'coreutils'), ('zh_TW', 'coreutils'), ('ja', 'coreutils'), ('ko', 'coreutils'),
        ('ru', 'coreutils'), ('el', 'coreutils'), ('vi', 'coreutils'), ('fr', 'grep'),
        ('de', 'grep'), ('hi', 'glib20'), ('bn', 'glib20'), ('ta', 'glib20'), ('th', 'glib20'),
        ('ar', 'glib20'), ('he', 'glib20'), ('ja', 'glib20'), ('ko', 'glib20'), ('zh_CN', 'glib20'),
    ]
    parts = []
    for lang, domain in sources:
        path = '/usr/share/locale/%s/LC_MESSAGES/%s.mo' % (lang, domain)
        if os.path.isfile(path):
            parts.append('=== %s ===\n%s\n' % (path, catalog(path, 22_000)))
    return ''.join(parts)


SPECIALS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>', '<|object_ref_start|>',
            '<|object_ref_end|>', '<|box_start|>', '<|box_end|>', '<|quad_start|>', '<|quad_end|>',
            '<|vision_start|>', '<|vision_end|>', '<|vision_pad|>', '<|image_pad|>',
            '<|video_pad|>', '<tool_call>', '</tool_call>', '<|fim_prefix|>', '<|fim_middle|>',
            '<|fim_suffix|>', '<|fim_pad|>', '<|repo_name|>', '<|file_sep|>', '<tool_response>',
            '</tool_response>', '<think>', '</think>']

EMOJI = ['😀', '🎉', '🚀', '❤️', '👍', '👍🏽', '👋🏿', '🧑‍💻', '👩‍👩‍👧‍👦', '🏳️‍🌈', '🏴‍☠️', '🇯🇵',
         '🇺🇸', '🇩🇪', '🇧🇷', '🇮🇳', '✋🏻', '🤦🏼‍♂️', '🫶', '🧪', '⚡', '☕', '1️⃣', '#️⃣', '©️', '🔥',
         '🐍', '🦀', '🐹', '🌍', '👨🏾‍🚀', '🧑🏻‍🤝‍🧑🏿', '🏴󠁧󠁢󠁳󠁣󠁴󠁿', '😶‍🌫️', '❤️‍🔥']

SPACES = ['\u00a0', '\u2000', '\u2001', '\u2002', '\u2003', '\u2004', '\u2005', '\u2006',
          '\u2007', '\u2008', '\u2009', '\u200a', '\u202f', '\u205f', '\u3000', '\u1680',
          '\u2028', '\u2029', '\u200b', '\u2060', '\t', '\v', '\f', '\r\n', '\r', '\n']

MARK_TEXT = [
    'café naïve résumé façade coöperate Ångström São Paulo Zürich Łódź Dvořák',
    'Tiếng Việt có dấu: Những người bạn đã đến thăm quê hương tôi vào mùa thu năm ấy.',
    'हिन्दी देवनागरी लिपि में लिखी जाती है। क्षत्रिय, ज्ञान, श्रीमान्, द्वार।',
    'ภาษาไทยมีวรรณยุกต์ ก่อน ก้อน ก๊อน ก๋อน และสระ เกี่ยว เปลี่ยน',
    'العربية: بِسْمِ اللَّهِ الرَّحْمَٰنِ الرَّحِيمِ — مُحَمَّدٌ رَسُولُ',
    'עברית: בְּרֵאשִׁית בָּרָא אֱלֹהִים אֵת הַשָּׁמַיִם',
    'Ελληνικά: ἐν ἀρχῇ ἦν ὁ λόγος, καὶ ὁ λόγος ἦν πρὸς τὸν θεόν',
    '한국어 문장과 조합: 한글 ᄒᆞᆫ글 옛한글 ᄀᆞᄅᆞ',
    'Zalgo: Z̷̢̛a̶̝͠l̴̰̈g̸̣̈́o̵̱͝ t̸e̵x̶t̷',
    'IPA: ˈfəʊnəˌtɪks ʃ ʒ θ ð ŋ ɹ̠ t̪ d̪ n̥',
]


def unicode_mix(rng):
    parts = []
    # Combining marks: the same sentences precomposed (NFC) and decomposed (NFD), and with marks
    # in non-canonical order.
    for s in MARK_TEXT:
        parts.append(s)
        parts.append(unicodedata.normalize('NFD', s))
        parts.append(unicodedata.normalize('NFKD', s))
    parts.append('e\u0301\u0323 e\u0323\u0301 a\u0308\u0304 o\u031b\u0301 u\u0328\u0306 '
                 'A\u030a \u212b \u2126 K\u0301 \u1e9b\u0323 \u0958 \u0915\u093c')
    # Emoji: single, with skin tones, ZWJ sequences, flags, keycaps, runs without spaces.
    for i in range(400):
        n = rng.randint(1, 6)
        seq = ''.join(rng.choice(EMOJI) for _ in range(n))
        word = rng.choice(['ship it', 'great', 'LGTM', 'done', '完成', 'よし', 'go'])
        parts.append(rng.choice(['%s %s', '%s%s', '%s: %s!', '(%s) %s']) % (seq, word))
    # Whitespace: tabs, CRLF, runs of spaces and newlines, NBSP and other Unicode spaces.
    for i in range(400):
        words = ['alpha', 'beta', 'x', '42', 'λ', '—', '...', 'if', '{', '}', 'def', 'über']
        out = []
        for _ in range(rng.randint(2, 12)):
            out.append(rng.choice(words))
            k = rng.random()
            if k < 0.35:
                out.append(' ' * rng.randint(1, 9))
            elif k < 0.55:
                out.append('\t' * rng.randint(1, 3))
            elif k < 0.7:
                out.append('\n' * rng.randint(1, 4))
            elif k < 0.8:
                out.append('\r\n' * rng.randint(1, 3))
            else:
                out.append(''.join(rng.choice(SPACES) for _ in range(rng.randint(1, 3))))
        parts.append(''.join(out))
    parts.append(' ' * 40 + 'indented' + '\n' * 7 + '\t\t\ttabs\n  \n \n\n   \t \n' + ' ' * 3)
    # Numbers: integers, grouped, decimals, scientific, hex, dates, versions, other scripts' digits.
    for i in range(300):
        parts.append(rng.choice([
            str(rng.randint(0, 10**rng.randint(1, 25))),
            '{:,}'.format(rng.randint(0, 10**12)),
            '%.*f' % (rng.randint(1, 9), rng.random() * 10**rng.randint(0, 8)),
            '%e' % (rng.random() * 10**rng.randint(-20, 20)),
            '0x%X' % rng.getrandbits(rng.choice([8, 16, 32, 64])),
            '2024-%02d-%02dT%02d:%02d:%02dZ' % (rng.randint(1, 12), rng.randint(1, 28),
                                                rng.randint(0, 23), rng.randint(0, 59),
                                                rng.randint(0, 59)),
            'v%d.%d.%d-rc%d' % (rng.randint(0, 20), rng.randint(0, 99), rng.randint(0, 999),
                                rng.randint(1, 9)),
            '١٢٣٤٥ ४२ ๔๒ 四十二 ⅫⅣ ①②③ ¼½¾ ² ³ ₁₂',
            '+1 (555) 010-%04d' % rng.randint(0, 9999),
            '$%d.%02d' % (rng.randint(0, 99999), rng.randint(0, 99)),
        ]))
    # Contractions and apostrophes in every case.
    parts.append("I'm you're we've they'll she'd it's don't CAN'T I'M YOU'RE WE'VE THEY'LL "
                 "SHE'D IT'S 'S 'T 'Re 'vE 'Ll 'D ' s '' ''' 'sss 'tis o'clock rock'n'roll "
                 "l'homme dell'arte ’s ’re")
    # Every special token of the Qwen3 vocab, inside text: a chat, tool calls, FIM, adjacent,
    # inside words, and broken halves that must stay text.
    for i in range(200):
        a, b = rng.choice(SPECIALS), rng.choice(SPECIALS)
        parts.append(rng.choice([
            '%suser\nWhat is %d+%d?%s\n%sassistant\n' % ('<|im_start|>', i, i, '<|im_end|>',
                                                          '<|im_start|>'),
            '<think>\nLet me think about step %d.\n</think>\n\nThe answer is %d.<|im_end|>' % (i, i),
            '<tool_call>\n{"name": "get_weather", "arguments": {"city": "東京", "n": %d}}\n'
            '</tool_call>' % i,
            '<tool_response>\n{"temp": %d.5, "unit": "°C"}\n</tool_response>' % i,
            '<|fim_prefix|>def f(x):\n    return <|fim_suffix|>\n<|fim_middle|>x * %d' % i,
            '<|repo_name|>anthropic-local\n<|file_sep|>src/main.cpp\nint main() {}\n',
            'word%sword %s%s %s' % (a, a, b, b),
            '<|im_start <|im_end| |> <| |im_end|> <tool_call <think> </think <<|im_end|>>',
            '<|vision_start|><|image_pad|><|image_pad|><|vision_end|>describe',
            '<|object_ref_start|>the cat<|object_ref_end|><|box_start|>(1,2),(3,4)<|box_end|>',
            '<|quad_start|>q<|quad_end|><|video_pad|><|vision_pad|><|endoftext|><|fim_pad|>',
        ]))
    parts.append(''.join(SPECIALS))
    parts.append(' '.join(SPECIALS))
    # Long runs: one letter, one digit, punctuation, base64-like, a long URL.
    parts.append('a' * 3000)
    parts.append('9' * 500)
    parts.append('=' * 400 + '-' * 400 + '#' * 100)
    parts.append(''.join(rng.choice('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/')
                         for _ in range(4000)) + '==')
    parts.append('https://example.com/a/very/long/path?' +
                 '&'.join('k%d=v%d' % (i, i * 7) for i in range(200)))
    rng.shuffle(parts)
    return '\n'.join(parts) + '\n'


def crlf_text():
    # A text with Windows line endings throughout.
    body = read('/usr/share/common-licenses/BSD') + read('/usr/lib/python3.11/this.py')
    return body.replace('\n', '\r\n')


def main():
    rng = random.Random(20240611)
    os.makedirs(OUT, exist_ok=True)
    write('prose_en.txt', prose())
    write('code_c_cpp.txt', code_c())
    write('code_python.txt', code_python())
    write('code_js_ts.txt', code_js())
    write('code_rust_go_java_shell.txt', code_misc(rng))
    write('json.txt', json_data(rng))
    write('multilingual.txt', multilingual())
    write('unicode_mix.txt', unicode_mix(rng) + crlf_text())


if __name__ == '__main__':
    main()

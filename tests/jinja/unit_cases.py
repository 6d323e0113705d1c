#!/usr/bin/python3
"""Writes tests/unit/jinja/python_cases.inc: small templates with the output Python Jinja2 gives
in Hugging Face's environment (or that it raises), for the unit tests of jinja/.

Run after changing CASES:  /usr/bin/python3 tests/jinja/unit_cases.py
"""
import json
import os
import sys
from datetime import datetime

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hf_env  # noqa: E402

# (group, template, context)
CASES = [
    # --- whitespace: trim_blocks, lstrip_blocks, - and + markers, comments
    ("ws", "{% if true %}\nyes\n{% endif %}\nafter", {}),
    ("ws", "  {% if true %}\n  x\n  {% endif %}\n", {}),
    ("ws", "a  {% if true %}b{% endif %}  c", {}),
    ("ws", "line\n    {% if true %}in{% endif %}   \nnext", {}),
    ("ws", "x\n\t {%- if true %} y {%- endif %}\n z", {}),
    ("ws", "x {%+ if true %}y{% endif +%}\nz", {}),
    ("ws", "  {{ 1 }}  \n  {{- 2 -}}  \n  {{ 3 }}", {}),
    ("ws", "a\n  {# comment #}\nb", {}),
    ("ws", "a {#- c -#} b", {}),
    ("ws", "{% for i in [1,2] %}\n  {{ i }}\n{% endfor %}\n", {}),
    ("ws", "{% for i in [1,2] -%}\n  {{ i }}\n{%- endfor %}", {}),
    ("ws", "text\n", {}),
    ("ws", "text\n\n", {}),
    ("ws", "a\r\nb\rc", {}),
    ("ws", "{% raw %}{{ not }}{% endraw %}", {}),
    ("ws", "  {% raw -%}  {{ x }}  {%- endraw %}  ", {}),
    ("ws", "{{ 'a' }}\n{% set x = 1 %}\n{{ x }}", {}),
    ("ws", "<{% if false %}no{% else %}\n  {%- if true %}yes{% endif %}{% endif %}>", {}),
    ("ws", "{% macro m() %}\n  body\n{% endmacro %}[{{ m() }}]", {}),
    ("ws", "\u3000{%- if true %}x{% endif %}", {}),
    ("ws", "{{ 1 -}}\n  {% if true %}x{% endif %}\n  {{ 2 }}", {}),
    ("ws", "  {# c #}  {% if true %}x{% endif %}\n", {}),
    ("ws", "a {%- raw %} {{ b }} {% endraw -%} c", {}),
    ("ws", "{% if true %}\n{% endif %}\n\n", {}),
    ("ws", "x\n\t\u3000 {% if true %}y{% endif %}", {}),
    ("ws", "{% for i in [1,2] %}{{ i }}{% if not loop.last %},\n{% endif %}{% endfor %}", {}),
    ("ws", "{%- set x = 1 -%}\n\n  {{- x -}}  \n\n{%- if x %} a {% endif -%}  \n", {}),
    ("ws", "{% if true %}a{% endif %}\r\n  {% if true %}b{% endif %}", {}),
    # --- literals and printing
    ("lit", "{{ 'a\\nb\\t\\\\ \\'q\\' \\x41\\u00e9\\U0001F600 \\d' }}", {}),
    ("lit", '{{ "dq \\"x\\"" }} {{ \'multi\' "part" }}', {}),
    ("lit", "{{ 1 }} {{ 1.0 }} {{ 1.5e3 }} {{ 0x1F }} {{ 0o17 }} {{ 0b101 }} {{ 1_000 }}", {}),
    ("lit", "{{ 0.1 + 0.2 }} {{ 1e16 }} {{ 1e15 }} {{ 1e-05 }} {{ 123456789.125 }}", {}),
    ("lit", "{{ true }} {{ True }} {{ none }} {{ None }} {{ false }}", {}),
    ("lit", "{{ [1, 'a', none, true, 1.5, [2]] }} {{ (1,) }} {{ (1, 'b') }} {{ () }}", {}),
    ("lit", "{{ {'a': 1, 'b': [1, {'c': none}]} }} {{ {} }} {{ {1: 'x', 2.5: 'y'} }}", {}),
    ("lit", "{{ ['it\\'s', 'a\"b', 'a\\'b\"c', 'tab\\there', '\\x01', '\\u00a0', 'é😀'] }}", {}),
    ("lit", "{{ x }}", {"x": {"k": "v", "n": [1.0, -0.0, 1e100]}}),
    ("lit", "{{ x }}|{{ x.y }}|{{ x['y'] }}", {}),
    ("lit", "{{ s }}", {"s": "unicode ✓ 日本語 🚀"}),
    ("lit", "{{ [1, 2,] }} {{ {'a': 1,} }} {{ (1, 2,) }} {{ 'a' 'b' \"c\" }}", {}),
    # --- arithmetic and operators
    ("ops", "{{ 7 / 2 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 7 % -3 }}", {}),
    ("ops", "{{ 2 ** 10 }} {{ 2 ** -1 }} {{ 2 ** 0.5 }} {{ 7.5 // 2 }} {{ -7.5 % 2 }}", {}),
    ("ops", "{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ -2 ** 2 }} {{ 2 ** 3 ** 2 }}", {}),
    ("ops", "{{ 'ab' ~ 1 ~ none ~ x }} {{ 'ab' + 'cd' }} {{ 'ab' * 3 }} {{ 2 * 'x' }}", {}),
    ("ops", "{{ [1] + [2] }} {{ [0] * 3 }} {{ (1,) + (2,) }} {{ true + 1 }}", {}),
    ("ops", "{{ 1 == 1.0 }} {{ true == 1 }} {{ 'a' != 'b' }} {{ [1,2] == [1,2] }} {{ {'a':1} == {'a':1} }}", {}),
    ("ops", "{{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ 'a' < 'b' }} {{ [1,2] < [1,3] }} {{ 2 >= 2.0 }}", {}),
    ("ops", "{{ 'b' in 'abc' }} {{ 1 in [1,2] }} {{ 'k' in {'k': 1} }} {{ 3 not in [1] }} {{ 1 in x }}", {}),
    ("ops", "{{ 0 or 'x' }} {{ 1 and 'y' }} {{ none or [] }} {{ '' and 1 }} {{ not 0 }} {{ not x }}", {}),
    ("ops", "{{ 'yes' if 1 else 'no' }} {{ 'yes' if 0 else 'no' }} [{{ 'x' if false }}]", {}),
    ("ops", "{{ -3|abs }} {{ -(3) }} {{ +3 }} {{ not true and false }}", {}),
    ("ops", "{{ 'a' + 1 }}", {}),
    ("ops", "{{ 1 / 0 }}", {}),
    ("ops", "{{ 'a' < 1 }}", {}),
    ("ops", "{{ 1 in none }}", {}),
    ("ops", "{{ x + 1 }}", {}),
    ("ops", "{{ 'a' ~ ('<b>'|safe) }} {{ ('<a>'|safe) + '<b>' }} {{ '<b>' + ('x'|safe) }}", {}),
    ("ops", "{{ '%s and %d' % ('a', 3) }} {{ '%.2f|%5s|%r' % (3.14159, 'x', 'y') }}", {}),
    # --- subscripts, attributes, slices, undefined
    ("sub", "{{ m.content }} {{ m['content'] }} {{ m.missing }}|{{ m['missing'] is defined }}", {"m": {"content": "hi"}}),
    ("sub", "{{ l[0] }} {{ l[-1] }} {{ l[5] }}|{{ l[1:] }} {{ l[::-1] }} {{ l[-2:] }} {{ l[:1] }} {{ l[::2] }}", {"l": [1, 2, 3]}),
    ("sub", "{{ s[0] }} {{ s[-1] }} {{ s[1:3] }} {{ s[::-1] }} {{ s|length }}", {"s": "héllo😀"}),
    ("sub", "{{ l.0 }} {{ d.items is callable }}|{{ d['items'] }}|{{ d.keys is defined }}", {"l": [7], "d": {"items": 5}}),
    ("sub", "{{ none.x }}|{{ n.y }}|{{ (1 if false).z is defined }}", {"n": None}),
    ("sub", "{{ x.y }}", {}),
    ("sub", "{{ x.y.z }}", {"x": {}}),
    ("sub", "{{ 'abc'[::0] }}", {}),
    ("sub", "{{ [1,2]['a'] }}|{{ [1,2][1:'a'] }}|{{ {'a':1}[1:2] }}", {}),
    ("sub", "{{ x is defined }} {{ x is undefined }} {{ x|default('d') }} {{ x|d('e') }} {{ ''|default('f', true) }} {{ none|default('g') }}", {}),
    ("sub", "{{ x == y }} {{ x != 1 }} {{ x|length }} {{ x|list }} {{ x|string }}[{{ x }}]", {}),
    # --- if / for / loop
    ("for", "{% for x in l %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }};{% endfor %}", {"l": ["a", "b"]}),
    ("for", "{% for x in l %}[{{ loop.previtem }}|{{ loop.nextitem }}|{{ loop.cycle('o', 'e') }}]{% endfor %}", {"l": [1, 2, 3]}),
    ("for", "{% for x in [] %}a{% else %}empty{% endfor %}{% for x in [1] %}b{% else %}no{% endfor %}", {}),
    ("for", "{% for x in [1,2,3,4,5] if x is odd %}{{ x }}:{{ loop.index }}/{{ loop.length }} {% endfor %}", {}),
    ("for", "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}{% for k in d %}{{ k }}{% endfor %}", {"d": {"b": 1, "a": 2}}),
    ("for", "{% for k, v in d|items %}{{ k }}={{ v }};{% endfor %}", {"d": {"z": [1], "y": None}}),
    ("for", "{% for c in 'hé😀' %}{{ c }},{% endfor %}", {}),
    ("for", "{% for a, (b, c) in [(1, (2, 3))] %}{{ a }}{{ b }}{{ c }}{% endfor %}", {}),
    ("for", "{% for x in [1,2,3,4] %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 4 %}{% break %}{% endif %}{{ x }}{% endfor %}", {}),
    ("for", "{% for x in [1,2] %}{% for y in 'ab' %}{{ loop.index }}{{ x }}{{ y }} {% endfor %}{{ loop.index }}|{% endfor %}", {}),
    ("for", "{% for x in 5 %}{% endfor %}", {}),
    ("for", "{% for a, b in [[1,2],[3]] %}{{ a }}{% endfor %}", {}),
    ("for", "{% for x in none %}{% endfor %}", {}),
    ("for", "{% for x in undefined_name %}no{% else %}else{% endfor %}", {}),
    ("if", "{% if a %}A{% elif b %}B{% elif c %}C{% else %}D{% endif %}", {"c": 1}),
    ("if", "{% if [] %}x{% elif {} %}y{% elif '' %}z{% elif 0.0 %}w{% else %}none{% endif %}", {}),
    ("if", "{% if x is defined and x.y %}yes{% else %}no{% endif %}", {}),
    # --- set, namespace, scoping
    ("set", "{% set x = 1 %}{% set y, z = 2, 3 %}{{ x }}{{ y }}{{ z }}{% set t = 1, 2 %}{{ t }}", {}),
    ("set", "{% set x %}  a {{ 1 }} {% endset %}[{{ x }}]{% set y | trim | upper %} b {% endset %}[{{ y }}]", {}),
    ("set", "{% set ns = namespace(a=1, b='x') %}{% for i in [1,2] %}{% set ns.a = ns.a + i %}{% endfor %}{{ ns.a }}{{ ns.b }}{{ ns.c is defined }}", {}),
    ("set", "{% for i in [1,2,3] %}[{{ x }}]{% set x = i %}{% endfor %}{{ x }}", {}),
    ("set", "{% set x = 9 %}{% for i in [1,2] %}[{{ x }}]{% set x = i %}{{ x }}{% endfor %}{{ x }}", {}),
    ("set", "{% if true %}{% set q = 3 %}{% endif %}{{ q }}", {}),
    ("set", "{% set x = 1 %}{% set x.y = 2 %}", {}),
    ("set", "{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}[{{ a }}]", {}),
    ("set", "{% set x = 5 %}{{ x }}", {"x": 1}),
    ("set", "{% set a, b = [1, 2] %}{{ a }}{{ b }}{% set ns = namespace() %}{% set ns.v = 3 %}{{ ns['v'] }}", {}),
    ("for", "{% for x in [1,1,2] %}{{ loop.changed(x) }}{{ loop.depth }}{{ loop.depth0 }} {% endfor %}", {}),
    ("for", "{% for a, b in [(1, 2), [3, 4]] %}{{ a + b }}{% endfor %}{% for x in {'k': 1}.items() %}{{ x }}{% endfor %}", {}),
    # --- macros and call blocks
    ("macro", "{% macro m(a, b=2, c='z') %}{{ a }}-{{ b }}-{{ c }}{% endmacro %}{{ m(1) }} {{ m(1, 3) }} {{ m(1, c=4) }} {{ m() }}", {}),
    ("macro", "{% macro m(a) %}{{ a }}|{{ varargs }}|{{ kwargs }}{% endmacro %}{{ m(1, 2, 3, k='v') }}", {}),
    ("macro", "{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, 2) }}", {}),
    ("macro", "{% macro m(a) %}{{ a }}{% endmacro %}{{ m(b=2) }}", {}),
    ("macro", "{% macro m() %}{{ x }}{% endmacro %}{% set x = 1 %}{{ m() }}{% set x = 2 %}{{ m() }}", {}),
    ("macro", "{% set x = 1 %}{% macro m() %}[{{ x }}]{% set x = 5 %}{{ x }}{% endmacro %}{{ m() }}{{ x }}", {}),
    ("macro", "{% macro f(n) %}{% if n > 0 %}{{ n }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(5) }}", {}),
    ("macro", "{% macro m(a, b=a) %}{{ b }}{% endmacro %}{{ m(7) }}", {}),
    ("macro", "{% macro list(items) %}<{% for i in items %}{{ caller(i) }}{% endfor %}>{% endmacro %}{% call(x) list([1,2]) %}[{{ x }}]{% endcall %}", {}),
    ("macro", "{% set r = m() %}{% macro m() %}x{% endmacro %}", {}),
    ("macro", "{% macro m() %}  x  {% endmacro %}[{{ m()|trim }}]{{ m is callable }}", {}),
    # --- filter blocks
    ("filter", "{% filter upper %}abc {{ 'd' }}{% endfilter %}|{% filter trim|title %}  hello world  {% endfilter %}", {}),
    # --- filters
    ("filters", "{{ x|tojson }}", {"x": {"b": [1, 2.5, None, True, "é\"\\\n\t<>&'"], "a": {}}}),
    ("filters", "{{ x|tojson(indent=2) }}|{{ x|tojson(separators=(',', ':')) }}|{{ x|tojson(sort_keys=true) }}", {"x": {"z": [1, {"y": []}], "a": "ü"}}),
    ("filters", "{{ x|tojson(ensure_ascii=true) }} {{ 'x'|tojson(indent='\t') }} {{ [1,[2]]|tojson(indent='\t') }}", {"x": "é😀\u0001\u007f"}),
    ("filters", "{{ [1.0, 1e16, 0.1, -0.0, 1e-07, 2.5e20] | tojson }}", {}),
    ("filters", "{{ x|tojson }}", {}),
    ("filters", "{{ '  a b  '|trim }}|{{ 'xxaxx'|trim('x') }}|{{ '\u3000 a\u00a0'|trim }}|{{ none|trim }}|{{ 5|trim }}", {}),
    ("filters", "{{ 'hello wORLD-foo (bar)'|title }} {{ 'hELLO wORLD'|capitalize }} {{ 'AbC'|upper }} {{ 'AbC'|lower }} {{ 'straße ÉCOLE'|upper }} {{ 'ÀÉÎ'|lower }}", {}),
    ("filters", "{{ 'abc'|length }} {{ [1,2]|count }} {{ {'a':1}|length }} {{ 'héllo'|length }}", {}),
    ("filters", "{{ 'abc'|first }} {{ [3,1]|first }} {{ [3,1]|last }} {{ 'xyz'|last }} [{{ []|first }}] {{ {'k': 1}|first }}", {}),
    ("filters", "{{ [1,2,3]|join }} {{ [1,'a',none]|join(', ') }} {{ [{'n':'a'},{'n':'b'}]|join('-', attribute='n') }}", {}),
    ("filters", "{{ 'aXbXc'|replace('X', '-') }} {{ 'aaa'|replace('a', 'b', 2) }} {{ 'ab'|replace('', '.') }} {{ 123|replace('2', 'x') }}", {}),
    ("filters", "{{ 1|string }} {{ none|string }} {{ [1]|string }} {{ 'x'|string }}", {}),
    ("filters", "{{ '42'|int }} {{ ' 7 '|int }} {{ '3.9'|int }} {{ 'x'|int }} {{ 'x'|int(5) }} {{ 4.7|int }} {{ -4.7|int }} {{ '0x1A'|int(0, 16) }} {{ true|int }} {{ none|int }} {{ '1_000'|int }}", {}),
    ("filters", "{{ '1.5'|float }} {{ 'x'|float }} {{ 2|float }} {{ ' 1e3 '|float }} {{ 'inf'|float }} {{ 'nan'|float }} {{ 'x'|float(1.5) }}", {}),
    ("filters", "{{ 'ab'|list }} {{ {'a':1,'b':2}|list }} {{ (1,2)|list }} {{ x|list }}", {}),
    ("filters", "{{ {'b':1,'a':2}|items|list }} {{ x|items|list }} {{ {'b':1,'A':2,'a':3}|dictsort }} {{ {'b':1,'a':2}|dictsort(by='value', reverse=true) }}", {}),
    ("filters", "{{ [3,1,2]|sort }} {{ ['b','A','a']|sort }} {{ ['b','A','a']|sort(case_sensitive=true) }} {{ [3,1,2]|sort(reverse=true) }} {{ [{'n':2},{'n':1}]|sort(attribute='n') }}", {}),
    ("filters", "{{ ['a','A','b','a']|unique|list }} {{ ['a','A']|unique(case_sensitive=true)|list }} {{ [{'n':1},{'n':1}]|unique(attribute='n')|list }}", {}),
    ("filters", "{{ [1,2,3]|reverse|list }} {{ 'abc'|reverse }} {{ (1,2)|reverse|list }}", {}),
    ("filters", "{{ [1,2]|map('string')|join(',') }} {{ [{'a':1},{'b':2}]|map(attribute='a')|list }} {{ [{'a':1},{}]|map(attribute='a', default=0)|list }} {{ ['a','b']|map('upper')|list }} {{ [[1,2]]|map('join', '-')|list }}", {}),
    ("filters", "{{ [1,2,3,4]|select('odd')|list }} {{ [1,2,3,4]|reject('odd')|list }} {{ [0,1,'',[]]|select|list }} {{ [1,5,10]|select('gt', 3)|list }} {{ ['a','b']|select('in', ['a'])|list }}", {}),
    ("filters", "{{ l|selectattr('role', 'equalto', 'user')|list }} {{ l|rejectattr('role', 'eq', 'user')|map(attribute='c')|list }} {{ l|selectattr('c')|list|length }} {{ l|selectattr('x', 'defined')|list }}", {"l": [{"role": "user", "c": 1}, {"role": "bot", "c": 0}]}),
    ("filters", "{{ 'a\\nb\\n\\nc'|indent }}|{{ 'a\\nb'|indent(2, true) }}|{{ 'a\\n\\nb'|indent(2, blank=true) }}|{{ 'a\\nb'|indent('> ') }}|{{ ''|indent }}", {}),
    ("filters", "{{ 'one two, three'|wordcount }} {{ '<a&b>'|e }} {{ '<a>'|escape|escape }} {{ '<a>'|safe }} {{ ('<a>'|safe) is escaped }}", {}),
    ("filters", "{{ 2.5|round }} {{ 3.5|round }} {{ 2.675|round(2) }} {{ 5|round }} {{ 1.234|round(1, 'ceil') }} {{ 1.29|round(1, 'floor') }} {{ -1.5|round }}", {}),
    ("filters", "{{ -3|abs }} {{ -2.5|abs }} {{ [3,1,2]|min }} {{ [3,1,2]|max }} {{ ['a','B']|max }} {{ ['a','B']|max(case_sensitive=true) }} {{ [1,2,3]|sum }} {{ [{'v':1.5},{'v':2}]|sum(attribute='v') }} {{ [[1],[2]]|sum(start=[]) }}", {}),
    ("filters", "{{ [1,2,3,4,5]|batch(2)|list }} {{ [1,2,3]|batch(2, 0)|list }} {{ 'abc'|center(9) }}| {{ '%s-%s'|format(1, 'b') }} {{ {'a': 1}|attr('a') }}|{{ x|attr('items') is defined }}", {"x": {}}),
    ("filters", "{{ [1, 'a']|map('tojson')|join }} {{ '%5.1f|%-4d|'|format(3.14159, 7) }} {{ ['<a>', '<b>'|safe]|join }} {{ ('<a>'|safe) ~ '<b>' }}", {}),
    ("filters", "{{ 'x'|nosuchfilter }}", {}),
    ("filters", "{% if false %}{{ 'x'|nosuchfilter }}{% endif %}ok", {}),
    ("filters", "{% if true %}{{ 'x'|nosuchfilter }}{% endif %}", {}),
    # --- tests
    ("tests", "{{ 1 is number }}{{ true is number }}{{ true is integer }}{{ 1 is integer }}{{ 1.0 is float }}{{ 1 is float }}{{ true is boolean }}{{ none is none }}{{ x is none }}", {}),
    ("tests", "{{ 'a' is string }}{{ ('a'|safe) is string }}{{ {} is mapping }}{{ [] is mapping }}{{ 'a' is iterable }}{{ 1 is iterable }}{{ x is iterable }}{{ {} is sequence }}{{ 1 is sequence }}", {}),
    ("tests", "{{ 3 is odd }}{{ 3 is even }}{{ 9 is divisibleby 3 }}{{ 9 is divisibleby(4) }}{{ 'ab' is lower }}{{ 'AB' is upper }}{{ 'a1' is lower }}{{ '1' is lower }}", {}),
    ("tests", "{{ 1 is eq 1 }}{{ 1 is equalto 2 }}{{ 1 is ne 2 }}{{ 1 is lt 2 }}{{ 2 is le 2 }}{{ 3 is gt 2 }}{{ 2 is ge 3 }}{{ 1 is in [1] }}{{ 1 is == 1 }}", {}),
    ("tests", "{{ true is true }}{{ 1 is true }}{{ false is false }}{{ 0 is false }}{{ none is sameas none }}{{ [] is sameas [] }}{{ m is callable }}{{ 'upper' is filter }}{{ 'odd' is test }}{{ x is not defined }}", {"m": {}}),
    ("tests", "{{ 1 is nosuchtest }}", {}),
    ("tests", "{% if x is nosuchtest %}{% endif %}", {}),
    # --- methods
    ("methods", "{{ 'a b  c'.split() }} {{ 'a,b,c'.split(',') }} {{ 'a,b,c'.split(',', 1) }} {{ 'a,b,c'.rsplit(',', 1) }} {{ '  x y '.rsplit(None, 1) }} {{ 'a<>b<>'.split('<>') }}", {}),
    ("methods", "{{ '  x y  '.split(None, 1) }} {{ '  x y  '.rsplit(None, 1) }} {{ 'a b c'.split(maxsplit=1) }} {{ ''.split() }} {{ ''.split(',') }}", {}),
    ("methods", "{{ ' x '.strip() }}|{{ 'xxaxx'.strip('x') }}|{{ '\\n\\nab\\n'.lstrip('\\n') }}|{{ 'ab  '.rstrip() }}|{{ 'abc'.lstrip('ba') }}", {}),
    ("methods", "{{ 'abc'.startswith('ab') }}{{ 'abc'.endswith('bc') }}{{ 'abc'.startswith(('x', 'a')) }}{{ 'abc'.startswith('b', 1) }}{{ 'héllo'.endswith('llo', 0, 5) }}", {}),
    ("methods", "{{ 'hello'.find('l') }} {{ 'hello'.rfind('l') }} {{ 'héllo'.find('l') }} {{ 'abc'.find('z') }} {{ 'aaa'.count('a') }} {{ 'abab'.count('ab') }} {{ 'abc'.index('c') }}", {}),
    ("methods", "{{ 'abc'.index('z') }}", {}),
    ("methods", "{{ 'Hello World'.upper() }} {{ 'Hello'.lower() }} {{ 'hello wORLD they\\'re'.title() }} {{ 'hELLO'.capitalize() }} {{ 'aXa'.replace('a', 'b') }} {{ 'aaa'.replace('a', 'b', 1) }}", {}),
    ("methods", "{{ '-'.join(['a', 'b']) }} {{ 'x{}y{}'.format(1, 'z') }} {{ '{0}{1}{0}'.format('a', 'b') }} {{ '{n}!'.format(n=3) }} {{ '{{}}{}'.format(1) }} {{ '{!r}'.format('q') }}", {}),
    ("methods", "{{ '1'.isdigit() }}{{ 'a1'.isalnum() }}{{ 'ab'.isalpha() }}{{ ' '.isspace() }}{{ 'AB'.isupper() }}{{ 'ab'.islower() }}{{ ''.isdigit() }}", {}),
    ("methods", "{{ 'a\\nb\\r\\nc'.splitlines() }} {{ 'k=v=w'.partition('=') }} {{ 'k=v=w'.rpartition('=') }} {{ 'ab'.center(6, '*') }} {{ '5'.zfill(3) }} {{ 'x'.ljust(3) }}|", {}),
    ("methods", "{{ d.get('a') }} {{ d.get('z') }} {{ d.get('z', 'dflt') }} {{ d.keys()|list }} {{ d.values()|list }} {{ d.items()|list }} {{ d.copy() }}", {"d": {"a": 1, "b": [2]}}),
    ("methods", "{{ l.index(2) }} {{ l.count(1) }} {{ l.pop() }} {{ l }} {{ l.pop(0) }} {{ l }}", {"l": [1, 2, 1]}),
    ("methods", "{{ l.append(4) }}", {"l": [1]}),
    ("methods", "{{ d.update({'a': 1}) }}", {"d": {}}),
    ("methods", "[{{ l.append }}] {{ l.append is defined }} {{ 'ab'.upper is callable }}", {"l": [1]}),
    ("methods", "{{ ('<a>'|safe).replace('a', '<b>') }} {{ ('<a>'|safe).upper() }}", {}),
    # --- globals
    ("globals", "{{ range(3)|list }} {{ range(1, 10, 3)|list }} {{ range(5, 0, -2)|list }} {{ dict(a=1, b='x') }} {{ namespace(a=1).a }}", {}),
    ("globals", "{{ raise_exception('Bad input: ' ~ 1) }}", {}),
    ("globals", "{{ strftime_now('%Y-%m-%d %H:%M %A %b') }}", {}),
    ("globals", "{{ range(100001)|length }}", {}),
    # --- syntax errors (Python raises at parse time)
    ("syntax", "{% if x %}no end", {}),
    ("syntax", "{% for x in %}{% endfor %}", {}),
    ("syntax", "{{ 1 + }}", {}),
    ("syntax", "{% foo %}", {}),
    ("syntax", "{% endif %}", {}),
    ("syntax", "{{ (1 }}", {}),
    ("syntax", "{{ 'unterminated }}", {}),
    ("syntax", "{# open comment", {}),
    ("syntax", "{{ x is defined is defined }}", {}),
    ("syntax", "{% macro m(a=1, b) %}{% endmacro %}", {}),
    ("syntax", "{% set 1 = 2 %}", {}),
    ("syntax", "{{ a.1b }}", {}),
    ("syntax", "{% break %}", {}),
    ("syntax", "{{ 1 }", {}),
    ("syntax", "{{ {'a': 1 }}", {}),
]


def cpp_literal(s):
    """A C++ string literal of s (UTF-8 kept, controls escaped, split where a hex escape ends)."""
    out = ['"']
    for ch in s:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 0x20 or ord(ch) == 0x7f:
            out.append(f'\\x{ord(ch):02x}""')
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def main():
    env = hf_env.make_env(datetime(2024, 7, 26, 10, 20, 30))
    out = ["// Generated by tests/jinja/unit_cases.py from Python Jinja2 " +
           "(Hugging Face's environment). Do not edit.",
           "// {group, template, context JSON, raises, expected output}"]
    for group, src, ctx in CASES:
        ctx_json = json.dumps(ctx, ensure_ascii=False)  # before rendering: list.pop mutates
        try:
            rendered = env.from_string(src).render(**ctx)
            raises = False
        except Exception:
            rendered = ""
            raises = True
        lits = [cpp_literal(x) for x in (group, src, ctx_json, rendered)]
        out.append(f"{{{lits[0]}, {lits[1]}, {lits[2]}, {'true' if raises else 'false'}, {lits[3]}}},")
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "unit", "jinja",
                        "python_cases.inc")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    print(f"wrote {len(CASES)} cases to {os.path.normpath(path)}")


if __name__ == "__main__":
    main()

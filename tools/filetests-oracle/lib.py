"""Oracle helpers for the Twill filetest corpus: exact integer and IEEE models."""
import math, struct
from fractions import Fraction as Fr
import numpy as np

BITS = {'i8': 8, 'i16': 16, 'i32': 32, 'i64': 64}
INTS = ['i8', 'i16', 'i32', 'i64']

class Trap(Exception):
    def __init__(self, code): self.code = code

def mask(n): return (1 << n) - 1
def u(x, n): return x & mask(n)
def s(x, n):
    x &= mask(n)
    return x - (1 << n) if x >> (n - 1) else x
def MIN(n): return 1 << (n - 1)

def fmt_int(x, n):
    """A literal for an n-bit field: signed decimal when small, else unsigned hex in groups of 4."""
    sv = s(x, n)
    if -10000 < sv < 10000: return str(sv)
    h = format(u(x, n), 'x')
    first = len(h) % 4 or 4
    parts = [h[:first]] + [h[i:i+4] for i in range(first, len(h), 4)]
    return '0x' + '_'.join(parts)

# ---------------- floats as bits
F32 = (8, 23); F64 = (11, 52)
def fmtspec(ty): return F32 if ty == 'f32' else F64

def fmt_float_bits(bits, ty):
    w, t = fmtspec(ty)
    maxE = (1 << w) - 1
    tb = bits & mask(t); eb = (bits >> t) & maxE; neg = (bits >> (w + t)) & 1
    bias = (1 << (w - 1)) - 1
    digits = (t + 3) // 4
    left = tb << (4 * digits - t)
    hx = format(left, '0%dx' % digits)
    out = '-' if neg else ''
    if eb == 0:
        if tb == 0: return out + '0.0'
        return out + '0x0.' + hx + 'p' + str(1 - bias)
    if eb == maxE:
        if not neg: out += '+'
        if tb == 0: return out + 'Inf'
        payload = tb & mask(t - 1)
        if tb >> (t - 1):
            return out + 'NaN' + (':0x%x' % payload if payload else '')
        return out + 'sNaN:0x%x' % payload
    hx = hx.rstrip('0') or '0'
    return out + '0x1.' + hx + 'p' + str(eb - bias)

def is_nan_bits(bits, ty):
    w, t = fmtspec(ty)
    return ((bits >> t) & mask(w)) == mask(w) and (bits & mask(t)) != 0

def f32_bits(x): return struct.unpack('<I', struct.pack('<f', x))[0]
def f64_bits(x): return struct.unpack('<Q', struct.pack('<d', x))[0]
def bits_f64(b): return struct.unpack('<d', struct.pack('<Q', b))[0]
def bits_f32(b): return struct.unpack('<f', struct.pack('<I', b))[0]

def to_bits(x, ty):
    """A python float (already representable in ty) to bits."""
    return f32_bits(x) if ty == 'f32' else f64_bits(x)
def from_bits(b, ty):
    return bits_f32(b) if ty == 'f32' else bits_f64(b)

QNAN = {'f32': 0x7fc00000, 'f64': 0x7ff8000000000000}
INF = {'f32': 0x7f800000, 'f64': 0x7ff0000000000000}
SIGN = {'f32': 1 << 31, 'f64': 1 << 63}

def round_fraction(q, ty, neg_zero=False):
    """Exact rational q -> bits of ty, round to nearest even, overflow to inf."""
    w, t = fmtspec(ty)
    bias = (1 << (w - 1)) - 1
    if q == 0:
        return SIGN[ty] if neg_zero else 0
    sign = SIGN[ty] if q < 0 else 0
    a = abs(q)
    # exponent e with 2^e <= a < 2^(e+1)
    e = a.numerator.bit_length() - a.denominator.bit_length()
    if Fr(2) ** e > a: e -= 1
    if Fr(2) ** (e + 1) <= a: e += 1
    emin = 1 - bias
    if e < emin: e = emin
    ulp = Fr(2) ** (e - t)
    m = a / ulp  # significand in units of ulp
    fl = m.numerator // m.denominator
    rem = m - fl
    if rem > Fr(1, 2) or (rem == Fr(1, 2) and fl % 2 == 1): fl += 1
    if fl == (1 << (t + 1)):
        fl >>= 1; e += 1
    if e > bias:
        return sign | INF[ty]
    if fl < (1 << t):  # subnormal (or zero after rounding)
        return sign | fl
    return sign | ((e + bias) << t) | (fl & mask(t))

def bits_to_fraction(b, ty):
    x = from_bits(b, ty)
    assert math.isfinite(x)
    return Fr(x)

def fval(lit, ty):
    """Parse a literal the way the text format does (exact hex, specials, decimals)."""
    w, t = fmtspec(ty)
    neg = lit.startswith('-')
    r = lit.lstrip('+-')
    sign = SIGN[ty] if neg else 0
    if r == 'Inf': return sign | INF[ty]
    if r == 'NaN': return sign | INF[ty] | (1 << (t - 1))
    if r.startswith('NaN:'): return sign | INF[ty] | (1 << (t - 1)) | int(r[4:], 16)
    if r.startswith('sNaN:'): return sign | INF[ty] | int(r[5:], 16)
    if r.startswith('0x'):
        x = float.fromhex(r)
        b = to_bits(x, ty) if ty == 'f64' else round_fraction(Fr(x), 'f32')
        assert from_bits(b, ty) == x, lit
        return b | sign if x != 0 or neg else b
    q = Fr(r)
    return round_fraction(-q if neg else q, ty, neg_zero=neg)

def float_lit(b, ty):
    return fmt_float_bits(b, ty)

import os
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'jit-core', 'src', 'test', 'resources', 'filetests')

class File:
    def __init__(self, rel, tests=('interpret', 'run'), intro=None):
        self.rel = rel
        self.lines = ['test %s' % t for t in tests]
        if intro:
            self.lines.append('')
            for l in intro.strip('\n').split('\n'):
                self.lines.append(('; ' + l).rstrip())
        self.nrun = 0
    def func(self, text):
        self.lines.append('')
        self.lines.extend(text.strip('\n').split('\n'))
    def note(self, text):
        for l in text.strip('\n').split('\n'):
            self.lines.append(('; ' + l).rstrip())
    def raw(self, text):
        self.lines.extend(text.strip('\n').split('\n'))
    def run(self, call, expect, note=None):
        if note: self.note(note)
        self.lines.append('; run: %s %s' % (call, expect))
        self.nrun += 1
    def write(self):
        p = os.path.join(OUT, self.rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, 'w') as fh:
            fh.write('\n'.join(self.lines) + '\n')
        print('%-40s %4d run lines' % (self.rel, self.nrun))
        return self.nrun

def call(name, args):
    return '%%%s(%s)' % (name, ', '.join(args))

def expect_int(fnc, n):
    """'== r' or 'traps code' from evaluating fnc()."""
    try:
        r = fnc()
    except Trap as t:
        return 'traps ' + t.code
    if isinstance(r, tuple):
        return '== [' + ', '.join(fmt_int(x, m) for x, m in r) + ']'
    return '== ' + fmt_int(r, n)

"""IEEE 754 binary32/binary64 model on raw bits: exact rationals plus explicit special cases,
cross-checked against numpy where numpy has the operation."""
import math, warnings
from fractions import Fraction as Fr
import numpy as np
from lib import *

warnings.filterwarnings('ignore')
NAN = 'nan'

def cls(b, ty):
    w, t = fmtspec(ty)
    e = (b >> t) & mask(w); m = b & mask(t)
    if e == mask(w): return 'nan' if m else 'inf'
    if e == 0 and m == 0: return 'zero'
    return 'fin'
def neg(b, ty): return bool(b & SIGN[ty])
def val(b, ty): return Fr(from_bits(b, ty))

def np_of(b, ty):
    if ty == 'f32': return np.array([b], dtype=np.uint32).view(np.float32)[0]
    return np.array([b], dtype=np.uint64).view(np.float64)[0]
def np_bits(x, ty):
    if ty == 'f32': return int(np.array([x], dtype=np.float32).view(np.uint32)[0])
    return int(np.array([x], dtype=np.float64).view(np.uint64)[0])

def same(a, b, ty):
    if is_nan_bits(a, ty) and is_nan_bits(b, ty): return True
    return a == b

def arith(op, a, b, ty):
    b0 = b
    ca, cb = cls(a, ty), cls(b, ty)
    sa, sb = neg(a, ty), neg(b, ty)
    Q = QNAN[ty]
    if ca == 'nan' or cb == 'nan': r = Q
    elif op in ('fadd', 'fsub'):
        if op == 'fsub': sb = not sb; b ^= SIGN[ty]
        if ca == 'inf' and cb == 'inf': r = Q if sa != sb else a
        elif ca == 'inf': r = a
        elif cb == 'inf': r = b
        else:
            q = val(a, ty) + val(b, ty)
            if q == 0:
                # exact zero sum: -0 only when both operands are -0 (round to nearest)
                r = SIGN[ty] if (ca == 'zero' and cb == 'zero' and sa and sb) else 0
            else: r = round_fraction(q, ty)
    elif op == 'fmul':
        sg = sa != sb
        if (ca == 'inf' and cb == 'zero') or (ca == 'zero' and cb == 'inf'): r = Q
        elif ca == 'inf' or cb == 'inf': r = INF[ty] | (SIGN[ty] if sg else 0)
        else:
            q = val(a, ty) * val(b, ty)
            r = round_fraction(q, ty, neg_zero=sg) if q != 0 else (SIGN[ty] if sg else 0)
            if q != 0 and (r & ~SIGN[ty]) == 0: r = SIGN[ty] if sg else 0  # underflow keeps sign
    elif op == 'fdiv':
        sg = sa != sb
        if (ca == 'inf' and cb == 'inf') or (ca == 'zero' and cb == 'zero'): r = Q
        elif ca == 'inf': r = INF[ty] | (SIGN[ty] if sg else 0)
        elif cb == 'inf': r = SIGN[ty] if sg else 0
        elif cb == 'zero': r = INF[ty] | (SIGN[ty] if sg else 0)
        else:
            q = val(a, ty) / val(b, ty)
            r = round_fraction(q, ty) if q != 0 else (SIGN[ty] if sg else 0)
            if (r & ~SIGN[ty]) == 0: r = SIGN[ty] if sg else 0
    elif op in ('fmin', 'fmax'):
        if ca == 'zero' and cb == 'zero':
            r = (a | b) if op == 'fmin' else (a & b)
        else:
            fa, fb = from_bits(a, ty), from_bits(b, ty)
            r = a if ((fa < fb) == (op == 'fmin')) else b
    elif op == 'fcopysign':
        r = (a & ~SIGN[ty]) | (b & SIGN[ty])
    # cross-check
    na, nb = np_of(a, ty), np_of(b0, ty)
    chk = {'fadd': lambda: na + nb, 'fsub': lambda: na - nb, 'fmul': lambda: na * nb,
           'fdiv': lambda: na / nb, 'fmin': lambda: np.minimum(na, nb), 'fmax': lambda: np.maximum(na, nb),
           'fcopysign': None}[op]
    if chk and not (op in ('fmin', 'fmax') and ca == 'zero' and cb == 'zero'):
        assert same(r, np_bits(chk(), ty), ty), (op, hex(a), hex(b), hex(r), hex(np_bits(chk(), ty)))
    return r

def sqrt(a, ty):
    c = cls(a, ty)
    if c == 'nan': return QNAN[ty]
    if c == 'zero': return a
    if neg(a, ty): return QNAN[ty]
    if c == 'inf': return a
    x = from_bits(a, ty)
    # correctly rounded: integer sqrt on a scaled exact value
    q = Fr(x)
    w, t = fmtspec(ty)
    # find r = round(sqrt(q)) in ty: scale so that sqrt has > t+3 bits of integer part, then sticky
    k = 0
    while q * Fr(4) ** k < Fr(2) ** (2 * (t + 10)): k += 1
    sc = q * Fr(4) ** k  # sqrt(sc) = sqrt(q) * 2^k
    n = sc.numerator * (1 << 0)
    # floor(sqrt(sc)) with sticky via integer sqrt of floor(sc * 4^g)
    g = 8
    big = (sc * Fr(4) ** g)
    ib = big.numerator // big.denominator
    rt = math.isqrt(ib)
    exact = rt * rt == ib and big.denominator == 1
    approx = Fr(rt, 2 ** (g + k)) + (Fr(0) if exact else Fr(1, 2 ** (g + k + 1)))
    r = round_fraction(approx, ty)
    assert same(r, np_bits(np.sqrt(np_of(a, ty)), ty), ty), (hex(a), hex(r))
    return r

def rnd(op, a, ty):
    c = cls(a, ty)
    if c == 'nan': return QNAN[ty]
    if c in ('inf', 'zero'): return a
    q = val(a, ty)
    fl = q.numerator // q.denominator
    if op == 'floor': i = fl
    elif op == 'ceil': i = fl if fl == q else fl + 1
    elif op == 'trunc': i = int(q)  # toward zero
    else:
        d = q - fl
        i = fl + 1 if d > Fr(1, 2) or (d == Fr(1, 2) and fl % 2) else fl
    r = round_fraction(Fr(i), ty) if i != 0 else (SIGN[ty] if neg(a, ty) else 0)
    npf = {'floor': np.floor, 'ceil': np.ceil, 'trunc': np.trunc, 'nearest': np.rint}[op]
    assert same(r, np_bits(npf(np_of(a, ty)), ty), ty), (op, hex(a), hex(r))
    return r

def fcmp(cc, a, b, ty):
    uno = is_nan_bits(a, ty) or is_nan_bits(b, ty)
    if uno:
        return int(cc in ('uno', 'ne', 'ueq', 'ult', 'ule', 'ugt', 'uge'))
    x, y = from_bits(a, ty), from_bits(b, ty)
    return int({'ord': True, 'uno': False, 'eq': x == y, 'ne': x != y, 'one': x != y, 'ueq': x == y,
                'lt': x < y, 'le': x <= y, 'gt': x > y, 'ge': x >= y, 'ult': x < y, 'ule': x <= y,
                'ugt': x > y, 'uge': x >= y}[cc])

def promote(a):
    c = cls(a, 'f32')
    if c == 'nan': return QNAN['f64']
    if c == 'inf': return INF['f64'] | (SIGN['f64'] if neg(a, 'f32') else 0)
    if c == 'zero': return SIGN['f64'] if neg(a, 'f32') else 0
    r = f64_bits(bits_f32(a))
    assert same(r, np_bits(np.float64(np_of(a, 'f32')), 'f64'), 'f64')
    return r

def demote(a):
    c = cls(a, 'f64')
    if c == 'nan': return QNAN['f32']
    if c == 'inf': return INF['f32'] | (SIGN['f32'] if neg(a, 'f64') else 0)
    if c == 'zero': return SIGN['f32'] if neg(a, 'f64') else 0
    r = round_fraction(val(a, 'f64'), 'f32')
    if (r & ~SIGN['f32']) == 0: r = SIGN['f32'] if neg(a, 'f64') else 0
    assert same(r, np_bits(np.float32(np_of(a, 'f64')), 'f32'), 'f32'), (hex(a), hex(r))
    return r

def from_int(x, ty):
    """Exact integer x to float ty."""
    r = round_fraction(Fr(x), ty) if x != 0 else 0
    if ty == 'f32':
        ck = np.array([x], dtype=np.int64 if x < 2**63 else np.uint64).astype(np.float32)[0]
    else:
        ck = np.array([x], dtype=np.int64 if x < 2**63 else np.uint64).astype(np.float64)[0]
    assert same(r, np_bits(ck, ty), ty), (x, hex(r))
    return r

def to_int(a, ty, n, signed, sat):
    """fcvt_to_{s,u}int[_sat]; returns unsigned n-bit result or raises Trap."""
    c = cls(a, ty)
    lo, hi = (-(1 << (n - 1)), (1 << (n - 1)) - 1) if signed else (0, (1 << n) - 1)
    if c == 'nan':
        if sat: return 0
        raise Trap('bad_toint')
    if c == 'inf':
        if sat: return u(lo if neg(a, ty) else hi, n)
        raise Trap('int_ovf')
    q = val(a, ty) if c == 'fin' else Fr(0)
    i = int(q)  # trunc toward zero
    if i < lo or i > hi:
        if sat: return u(lo if i < lo else hi, n)
        raise Trap('int_ovf')
    return u(i, n)

from lib import *

def MAX(n): return (1 << (n - 1)) - 1
def pat(n, k):
    base = [0x5a, 0xa5, 0x37, 0xc3]
    v = 0
    for i in range(n // 8): v = (v << 8) | base[(i + k) % 4]
    return v

def pairs(n):
    M = mask(n)
    ps = [(0, 0), (1, 2), (MAX(n), 1), (MIN(n), M), (M, M), (MIN(n), MIN(n)), (MAX(n), MAX(n)),
          (3, u(-7, n)), (u(-7, n), 3), (pat(n, 0), pat(n, 1)), (0, MIN(n)), (M, 1)]
    return [(u(a, n), u(b, n)) for a, b in ps]

UN_VALS = lambda n: [0, 1, mask(n), MIN(n), MAX(n), u(MIN(n) + 1, n), 5, u(-5, n), pat(n, 2)]

def binfn(name, op, ty, rty=None):
    rty = rty or ty
    return '''function %%%s(%s, %s) -> %s {
block0(v0: %s, v1: %s):
    v2 = %s v0, v1
    return v2
}''' % (name, ty, ty, rty, ty, ty, op)

def unfn(name, op, ty, rty=None):
    rty = rty or ty
    return '''function %%%s(%s) -> %s {
block0(v0: %s):
    v1 = %s v0
    return v1
}''' % (name, ty, rty, ty, op)

def immfn(name, op, ty, imm, rty=None):
    rty = rty or ty
    return '''function %%%s(%s) -> %s {
block0(v0: %s):
    v1 = %s v0, %s
    return v1
}''' % (name, ty, rty, ty, op, imm)

def sdiv_(a, b, n):
    sa, sb = s(a, n), s(b, n)
    if sb == 0: raise Trap('int_divz')
    if sa == -MIN(n) and sb == -1: raise Trap('int_ovf')
    q = abs(sa) // abs(sb)
    return u(q if (sa < 0) == (sb < 0) else -q, n)
def srem_(a, b, n):
    sa, sb = s(a, n), s(b, n)
    if sb == 0: raise Trap('int_divz')
    r = abs(sa) % abs(sb)
    return u(-r if sa < 0 else r, n)
def udiv_(a, b, n):
    if u(b, n) == 0: raise Trap('int_divz')
    return u(a, n) // u(b, n)
def urem_(a, b, n):
    if u(b, n) == 0: raise Trap('int_divz')
    return u(a, n) % u(b, n)

BIN = {
    'iadd': lambda a, b, n: u(a + b, n),
    'isub': lambda a, b, n: u(a - b, n),
    'imul': lambda a, b, n: u(a * b, n),
    'umulhi': lambda a, b, n: u((u(a, n) * u(b, n)) >> n, n),
    'smulhi': lambda a, b, n: u((s(a, n) * s(b, n)) >> n, n),
    'udiv': udiv_, 'sdiv': sdiv_, 'urem': urem_, 'srem': srem_,
    'smin': lambda a, b, n: u(min(s(a, n), s(b, n)), n),
    'smax': lambda a, b, n: u(max(s(a, n), s(b, n)), n),
    'umin': lambda a, b, n: min(u(a, n), u(b, n)),
    'umax': lambda a, b, n: max(u(a, n), u(b, n)),
    'band': lambda a, b, n: a & b,
    'bor': lambda a, b, n: a | b,
    'bxor': lambda a, b, n: a ^ b,
    'band_not': lambda a, b, n: u(a & ~b, n),
    'bor_not': lambda a, b, n: u(a | ~b, n),
    'bxor_not': lambda a, b, n: u(a ^ ~b, n),
}

def shift(op, a, amt, n):
    k = amt % n
    a = u(a, n)
    if op == 'ishl': return u(a << k, n)
    if op == 'ushr': return a >> k
    if op == 'sshr': return u(s(a, n) >> k, n)
    if op == 'rotl': return u((a << k) | (a >> ((n - k) % n)), n) if k else a
    if op == 'rotr': return u((a >> k) | (a << ((n - k) % n)), n) if k else a

def clz(a, n): return n - u(a, n).bit_length()
def ctz(a, n):
    a = u(a, n)
    if a == 0: return n
    return (a & -a).bit_length() - 1
def popcnt(a, n): return bin(u(a, n)).count('1')
def bswap(a, n): return int.from_bytes(u(a, n).to_bytes(n // 8, 'little'), 'big')

UN = {
    'ineg': lambda a, n: u(-a, n),
    'iabs': lambda a, n: u(abs(s(a, n)), n),
    'bnot': lambda a, n: u(~a, n),
    'clz': clz, 'ctz': ctz, 'popcnt': popcnt, 'bswap': bswap,
}

def bin_note(op, a, b, n):
    sa, sb = s(a, n), s(b, n)
    if op in ('sdiv', 'srem', 'udiv', 'urem') and u(b, n) == 0 and a == 1: return 'division by zero traps int_divz'
    if op == 'sdiv' and sa == -MIN(n) and sb == -1: return 'MIN / -1 does not fit: int_ovf'
    if op == 'srem' and sa == -MIN(n) and sb == -1: return 'MIN %% -1 is 0 (no trap)'
    if op in ('sdiv', 'srem') and (a, b) == (u(-7, n), 2): return '-7 / 2 truncates toward zero: -3 rem -1'
    if op in ('udiv', 'urem') and (a, b) == (u(-7, n), 2): return '-7 is %s unsigned' % fmt_int(u(-7, n), 128)
    if op in ('smin', 'smax', 'umin', 'umax') and (a, b) == (0, MIN(n)): return 'MIN is the smallest signed and a large unsigned value'
    if op == 'iadd' and (a, b) == (MAX(n), 1): return 'MAX + 1 wraps to MIN'
    if op == 'smulhi' and (a, b) == (MIN(n), MIN(n)): return 'MIN * MIN = 2^%d: high half 2^%d' % (2 * n - 2, n - 2)
    return None

def un_note(op, a, n):
    if op == 'iabs' and a == MIN(n): return 'iabs(MIN) wraps to MIN'
    if op == 'ineg' and a == MIN(n): return 'ineg(MIN) wraps to MIN'
    if op in ('clz', 'ctz', 'popcnt') and a == 0: return '%s(0) is the width' % op if op != 'popcnt' else None
    return None

def gen_binary_family(f, ops, extra_pairs=None):
    for op in ops:
        for ty in INTS:
            n = BITS[ty]
            name = '%s_%s' % (op, ty)
            f.func(binfn(name, op, ty))
            ps = pairs(n) + (extra_pairs(op, n) if extra_pairs else [])
            seen = set()
            for a, b in ps:
                if (a, b) in seen: continue
                seen.add((a, b))
                f.run(call(name, [fmt_int(a, n), fmt_int(b, n)]), expect_int(lambda: BIN[op](a, b, n), n),
                      note=bin_note(op, a, b, n))

def gen_unary_family(f, ops, vals=UN_VALS, types=INTS):
    for op in ops:
        for ty in types:
            n = BITS[ty]
            name = '%s_%s' % (op, ty)
            f.func(unfn(name, op, ty))
            for a in vals(n):
                f.run(call(name, [fmt_int(a, n)]), expect_int(lambda: UN[op](a, n), n), note=un_note(op, a, n))

def gen_imm(f, op, model, imms, vals, types=INTS):
    for ty in types:
        n = BITS[ty]
        for k, imm in enumerate(imms(n)):
            name = '%s_%s_%d' % (op, ty, k)
            f.func(immfn(name, op, ty, imm))
            immv = int(imm, 0) if not imm.startswith('-') else -int(imm[1:], 0)
            for j, a in enumerate(vals(n)):
                note = None
                if j == 0 and imm.startswith('-') and op in ('udiv_imm', 'urem_imm', 'icmp_imm'):
                    note = 'the immediate %s is %s at this width' % (imm, fmt_int(u(immv, n), n + 1 if n < 64 else 128))
                if j == 0 and op.endswith('_imm') and op[:4] in ('ishl', 'ushr', 'sshr', 'rotl', 'rotr') and int(imm) % n != int(imm) % 1000:
                    note = 'amount %s is %d modulo %d' % (imm, int(imm) % n, n)
                f.run(call(name, [fmt_int(a, n)]), expect_int(lambda: model(a, u(immv, n), n), n), note=note)

total = 0
# ---------------------------------------------------------------- constants
f = File('interpret/const.clif', intro='''
iconst at every width (decimal, hex, negative, unsigned spellings), f32const and f64const
(checked bit-exactly through bitcast), and nop.''')
for ty, lits in [('i8', ['0', '1', '-1', '127', '-128', '255', '0x80', '0x7f']),
                 ('i16', ['0', '-1', '0x7fff', '-32768', '0xffff', '0x1234', '1000']),
                 ('i32', ['0', '-1', '0x7fff_ffff', '-2147483648', '0xffff_ffff', '0x1234_5678', '100000']),
                 ('i64', ['0', '-1', '0x7fff_ffff_ffff_ffff', '-9223372036854775808', '0xffff_ffff_ffff_ffff',
                          '0x0123_4567_89ab_cdef', '4294967296'])]:
    n = BITS[ty]
    body = '\n'.join('    v%d = iconst.%s %s' % (i, ty, l) for i, l in enumerate(lits))
    f.func('function %%iconst_%s() -> %s {\nblock0:\n%s\n    return %s\n}' % (
        ty, ', '.join([ty] * len(lits)), body, ', '.join('v%d' % i for i in range(len(lits)))))
    vals = [u(int(l.replace('_', ''), 0), n) for l in lits]
    f.run(call('iconst_' + ty, []), '== [' + ', '.join(fmt_int(v, n) for v in vals) + ']')
# float constants via bitcast
for ty, ity, lits in [('f32', 'i32', ['0.0', '-0.0', '0x1.0p0', '-0x1.8p1', '0x1.fffffep127', '0x0.000002p-126',
                                      '0x1.0p-126', '+Inf', '-Inf', '+NaN', '-NaN', '+NaN:0x1', '+sNaN:0x1',
                                      '+NaN:0x3fffff', '1.5', '0.1']),
                      ('f64', 'i64', ['0.0', '-0.0', '0x1.0p0', '-0x1.8p1', '0x1.fffffffffffffp1023',
                                      '0x0.0000000000001p-1022', '0x1.0p-1022', '+Inf', '-Inf', '+NaN', '-NaN',
                                      '+NaN:0x1', '+sNaN:0x1', '+NaN:0x7ffffffffffff', '1.5', '0.1'])]:
    n = BITS[ity]
    for k, l in enumerate(lits):
        name = '%sconst_%d' % (ty, k)
        f.func('function %%%s() -> %s {\nblock0:\n    v0 = %sconst %s\n    v1 = bitcast.%s v0\n    return v1\n}' % (
            name, ity, ty, l, ity))
        b = fval(l, ty)
        f.run(call(name, []), '== ' + fmt_int(b, n), note='%s is 0x%x' % (l, b) if l in ('0.1', '1.5') else None)
# returning the float itself
f.func('''function %f64const_ret() -> f64, f32 {
block0:
    v0 = f64const 0x1.8p1
    v1 = f32const -0x1.0p-3
    nop
    return v0, v1
}''')
f.run(call('f64const_ret', []), '== [0x1.8p1, -0x1.0p-3]')
f.func('''function %nop_only(i32) -> i32 {
block0(v0: i32):
    nop
    nop
    return v0
}''')
f.run(call('nop_only', ['42']), '== 42')
total += f.write()

# ---------------------------------------------------------------- iadd isub imul ineg iabs + imm
f = File('interpret/iarith.clif', intro='''
Wrapping integer arithmetic at every width: iadd isub imul ineg iabs and iadd_imm imul_imm
irsub_imm (irsub_imm computes imm - x). iabs of MIN is MIN (it wraps).''')
gen_binary_family(f, ['iadd', 'isub', 'imul'])
gen_unary_family(f, ['ineg', 'iabs'])
imm_vals = lambda n: [0, 1, mask(n), MIN(n), MAX(n), 100]
gen_imm(f, 'iadd_imm', lambda a, i, n: u(a + i, n), lambda n: ['1', '-1', '0x7f'], imm_vals)
gen_imm(f, 'imul_imm', lambda a, i, n: u(a * i, n), lambda n: ['3', '-1', '0'], imm_vals)
gen_imm(f, 'irsub_imm', lambda a, i, n: u(i - a, n), lambda n: ['10', '-1', '0'], imm_vals)
total += f.write()

# ---------------------------------------------------------------- umulhi smulhi
f = File('interpret/mulhi.clif', intro='''
umulhi / smulhi: the high half of the full 2n-bit product, unsigned and signed.''')
def mulhi_extra(op, n):
    return [(mask(n), 2), (MIN(n), 2), (MIN(n), mask(n)), (MAX(n), mask(n)), (mask(n), 0)]
gen_binary_family(f, ['umulhi', 'smulhi'], mulhi_extra)
total += f.write()

# ---------------------------------------------------------------- division
f = File('interpret/div.clif', intro='''
udiv sdiv urem srem and their _imm forms at every width. A zero divisor traps int_divz;
sdiv MIN / -1 traps int_ovf, srem MIN % -1 is 0. Signed division truncates toward zero and the
remainder takes the sign of the dividend.''')
def div_extra(op, n):
    M = mask(n)
    return [(7, 2), (u(-7, n), 2), (7, u(-2, n)), (u(-7, n), u(-2, n)), (MIN(n), M), (MIN(n), 1), (1, 0),
            (0, 0), (M, 0), (MIN(n), 0), (MAX(n), MIN(n)), (MIN(n), 2), (M, 2), (100, 7), (MIN(n), MIN(n)),
            (MIN(n), u(-2, n))]
gen_binary_family(f, ['udiv', 'sdiv', 'urem', 'srem'], div_extra)
dvals = lambda n: [0, 7, u(-7, n), MIN(n), MAX(n), mask(n)]
gen_imm(f, 'udiv_imm', udiv_, lambda n: ['2', '7', '-1', '0'], dvals)
gen_imm(f, 'sdiv_imm', sdiv_, lambda n: ['2', '-2', '-1', '0'], dvals)
gen_imm(f, 'urem_imm', urem_, lambda n: ['2', '7', '-1', '0'], dvals)
gen_imm(f, 'srem_imm', srem_, lambda n: ['2', '-2', '-1', '0'], dvals)
total += f.write()

# ---------------------------------------------------------------- min/max
f = File('interpret/minmax.clif', intro='smin smax (signed) and umin umax (unsigned) at every width.')
gen_binary_family(f, ['smin', 'smax', 'umin', 'umax'])
total += f.write()

# ---------------------------------------------------------------- bitwise
f = File('interpret/bitwise.clif', intro='''
band bor bxor bnot band_not bor_not bxor_not (x op ~y) and band_imm bor_imm bxor_imm.''')
gen_binary_family(f, ['band', 'bor', 'bxor', 'band_not', 'bor_not', 'bxor_not'])
gen_unary_family(f, ['bnot'])
bvals = lambda n: [0, mask(n), pat(n, 0), MIN(n)]
gen_imm(f, 'band_imm', lambda a, i, n: a & i, lambda n: ['0x0f', '-1', '0', '-16'], bvals)
gen_imm(f, 'bor_imm', lambda a, i, n: a | i, lambda n: ['0x0f', '-1', '0', '-16'], bvals)
gen_imm(f, 'bxor_imm', lambda a, i, n: a ^ i, lambda n: ['0x0f', '-1', '0', '-16'], bvals)
total += f.write()

# ---------------------------------------------------------------- shifts and rotates
f = File('interpret/shift.clif', intro='''
ishl ushr sshr rotl rotr and their _imm forms. The amount is taken modulo the width of the
shifted value, whatever the amount's own type: amount n is amount 0, n+1 is 1, and -1 (all ones)
is n-1.''')
for op in ['ishl', 'ushr', 'sshr', 'rotl', 'rotr']:
    for ty in INTS:
        n = BITS[ty]
        for aty in (INTS if ty in ('i32', 'i64') else [ty, 'i64']):
            an = BITS[aty]
            name = '%s_%s_%s' % (op, ty, aty)
            f.func('''function %%%s(%s, %s) -> %s {
block0(v0: %s, v1: %s):
    v2 = %s v0, v1
    return v2
}''' % (name, ty, aty, ty, ty, aty, op))
            xs = [u(MIN(n) | 0x1, n), pat(n, 0)] if aty == ty else [u(MIN(n) | 0x3, n)]
            amts = [0, 1, n - 1, n, n + 1, u(-1, an), u(-n - 1, an)] if aty == ty else [0, n - 1, n, n + 1, u(-1, an)]
            if an > 8 and aty == ty: amts.append(u(4 * n + 3, an))
            for x in xs:
                for amt in amts:
                    if amt >= (1 << an): continue
                    note = None
                    if x == xs[0] and amt == n: note = 'amount %d is 0 modulo the width' % n
                    if x == xs[0] and amt == u(-1, an): note = 'amount -1 (all ones) is %d modulo the width' % (n - 1)
                    f.run(call(name, [fmt_int(x, n), fmt_int(amt, an)]), expect_int(lambda: shift(op, x, amt, n), n), note=note)
    gen_imm(f, op + '_imm', lambda a, i, n, op=op: shift(op, a, i, n),
            lambda n: ['0', '1', str(n - 1), str(n), str(n + 1), '-1'],
            lambda n: [u(MIN(n) | 0x1, n), pat(n, 1)])
total += f.write()

# ---------------------------------------------------------------- clz ctz popcnt bswap
f = File('interpret/bitcount.clif', intro='''
clz ctz popcnt (of 0 the width; of all ones 0 / 0 / width) at every width, and bswap at
i16 i32 i64.''')
def bc_vals(n):
    return [0, mask(n), 1, MIN(n), 1 << (n // 2), u(1 << (n // 2 - 1), n), 0x10, pat(n, 0), MAX(n), u(-2, n)]
gen_unary_family(f, ['clz', 'ctz', 'popcnt'], bc_vals)
gen_unary_family(f, ['bswap'], lambda n: [0, mask(n), 1, MIN(n), 0x0102030405060708 & mask(n), pat(n, 0)],
                 types=['i16', 'i32', 'i64'])
total += f.write()

# ---------------------------------------------------------------- icmp / icmp_imm
CCS = ['eq', 'ne', 'slt', 'sge', 'sgt', 'sle', 'ult', 'uge', 'ugt', 'ule']
def icmp(cc, a, b, n):
    ua, ub, sa, sb = u(a, n), u(b, n), s(a, n), s(b, n)
    return int({'eq': ua == ub, 'ne': ua != ub, 'slt': sa < sb, 'sge': sa >= sb, 'sgt': sa > sb,
                'sle': sa <= sb, 'ult': ua < ub, 'uge': ua >= ub, 'ugt': ua > ub, 'ule': ua <= ub}[cc])
f = File('interpret/icmp.clif', intro='''
icmp and icmp_imm with all ten condition codes at every width; the result is an i8 0 or 1.
The pairs straddle the signed/unsigned boundary (MAX vs MIN, -1 vs 0) where signed and
unsigned answers differ. icmp_imm's immediate is taken at the compared type's width.''')
for cc in CCS:
    for ty in INTS:
        n = BITS[ty]
        name = 'icmp_%s_%s' % (cc, ty)
        f.func('''function %%%s(%s, %s) -> i8 {
block0(v0: %s, v1: %s):
    v2 = icmp %s v0, v1
    return v2
}''' % (name, ty, ty, ty, ty, cc))
        ps = [(0, 0), (0, 1), (1, 0), (mask(n), 0), (0, mask(n)), (MAX(n), MIN(n)), (MIN(n), MAX(n)),
              (mask(n), mask(n)), (MIN(n), MIN(n)), (u(-2, n), mask(n))]
        for a, b in ps:
            f.run(call(name, [fmt_int(a, n), fmt_int(b, n)]), '== %d' % icmp(cc, a, b, n))
for cc in CCS:
    for ty in INTS:
        n = BITS[ty]
        for k, imm in enumerate(['0', '-1', str(MAX(n)) if n < 16 else fmt_int(MAX(n), n)]):
            name = 'icmp_imm_%s_%s_%d' % (cc, ty, k)
            f.func('''function %%%s(%s) -> i8 {
block0(v0: %s):
    v1 = icmp_imm %s v0, %s
    return v1
}''' % (name, ty, ty, cc, imm))
            iv = u(int(imm.replace('_', ''), 0), n) if not imm.startswith('-') else u(-int(imm[1:]), n)
            for a in [0, mask(n), MIN(n), MAX(n), 1]:
                f.run(call(name, [fmt_int(a, n)]), '== %d' % icmp(cc, a, iv, n))
total += f.write()

# ---------------------------------------------------------------- uextend sextend ireduce bitcast(int<->float elsewhere)
f = File('interpret/extend.clif', intro='''
uextend and sextend to every wider type, ireduce to every narrower type.''')
for i, fr in enumerate(INTS):
    for to in INTS[i + 1:]:
        nf, nt = BITS[fr], BITS[to]
        for op in ['uextend', 'sextend']:
            name = '%s_%s_%s' % (op, fr, to)
            f.func(unfn(name, '%s.%s' % (op, to), fr, to))
            for a in [0, 1, MAX(nf), MIN(nf), mask(nf), pat(nf, 0)]:
                r = u(a, nf) if op == 'uextend' else u(s(a, nf), nt)
                f.run(call(name, [fmt_int(a, nf)]), '== ' + fmt_int(r, nt))
        name = 'ireduce_%s_%s' % (to, fr)
        f.func(unfn(name, 'ireduce.%s' % fr, to, fr))
        for a in [0, mask(nt), u(MIN(nf), nt), MAX(nf) + 1, pat(nt, 1), mask(nf) + 1 + 5]:
            f.run(call(name, [fmt_int(a, nt)]), '== ' + fmt_int(u(a, nf), nf))
total += f.write()
print('int total', total)

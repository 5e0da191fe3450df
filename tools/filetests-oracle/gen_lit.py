from lib import *

def canon(bits, ty):
    w, t = fmtspec(ty)
    maxE = (1 << w) - 1
    tb = bits & mask(t); eb = (bits >> t) & maxE; neg = (bits >> (w + t)) & 1
    bias = (1 << (w - 1)) - 1
    digits = (t + 3) // 4
    hx = format(tb << (4 * digits - t), '0%dx' % digits)
    out = '-' if neg else ''
    if eb == 0:
        return out + ('0.0' if tb == 0 else '0x0.' + hx + 'p' + str(1 - bias))
    if eb == maxE:
        if not neg: out += '+'
        if tb == 0: return out + 'Inf'
        payload = tb & mask(t - 1)
        if tb >> (t - 1): return out + 'NaN' + (':0x%x' % payload if payload else '')
        return out + 'sNaN:0x%x' % payload
    return out + '0x1.' + hx + 'p' + str(eb - bias)

def imm(v):
    v = v & mask(64)
    sv = v - (1 << 64) if v >> 63 else v
    if -10000 < sv < 10000: return str(sv)
    h = format(v, 'x'); first = len(h) % 4 or 4
    return '0x' + '_'.join([h[:first]] + [h[i:i+4] for i in range(first, len(h), 4)])

ints = [('i8', '-1'), ('i8', '0x80'), ('i8', '-128'), ('i8', '127'), ('i16', '0xffff'), ('i16', '-32768'),
        ('i32', '-1'), ('i32', '1_000_000'), ('i32', '9999'), ('i32', '10000'), ('i32', '-9999'), ('i32', '0x7fff_ffff'),
        ('i64', '-1'), ('i64', '0xffff_ffff_ffff_ffff'), ('i64', '-9999'), ('i64', '-10000'),
        ('i64', '0x8000_0000_0000_0000'), ('i64', '18446744073709551615'), ('i64', '0x0000_0001')]
lines, checks = [], []
for k, (ty, lit) in enumerate(ints):
    n = BITS[ty]
    v = int(lit.replace('_', ''), 0) if not lit.startswith('-') else -int(lit[1:].replace('_', ''), 0)
    lines.append('    v%d = iconst.%s %s' % (k, ty, lit))
    checks.append('v%d = iconst.%s %s' % (k, ty, imm(u(v, n))))
base = len(ints)
imms = ['-1', '0xffff_ffff', '-10000', '0x10', '4_096']
lines.append('    v%d = iconst.i32 0' % base); checks.append('v%d = iconst.i32 0' % base)
for j, lit in enumerate(imms):
    v = int(lit.replace('_', ''), 0) if not lit.startswith('-') else -int(lit[1:].replace('_', ''), 0)
    lines.append('    v%d = iadd_imm v%d, %s' % (base + 1 + j, base, lit))
    checks.append('v%d = iadd_imm v%d, %s' % (base + 1 + j, base, imm(v)))
f = File('parser/literals.clif', tests=('cat',), intro='''
Integer and float literals in every spelling the text format accepts, and their canonical
form. iconst takes a literal of its type's width (signed or unsigned) and keeps it masked to
that width; the _imm immediates are 64-bit. Integers print in decimal below 10000 in magnitude,
otherwise in hex with groups of four digits. Floats print as exact hex significands of 6 (f32)
or 13 (f64) digits; NaNs keep sign, quiet bit and payload.''')
f.func('function %%int_literals() {\nblock0:\n%s\n    return\n}' % '\n'.join(lines))
f.raw('; check: block0:')
for c in checks: f.raw('; nextln: ' + c)
f.raw('; nextln: return')
flts = {'f32': ['0x1.8p1', '0x3p0', '1.5', '0.1', '-0.0', '0.0', '0x0.000002p-126', '0x1.0p-149', '0x1.fffffep127',
                '+NaN', '-NaN', '+NaN:0x1', '+sNaN:0x1', '-sNaN:0x3fffff', '+Inf', '-Inf', '1e10', '-2.5e-3'],
        'f64': ['0x1.8p1', '0.1', '-0x1p-1074', '0x0.0000000000001p-1022', '0x1.fffffffffffffp1023', '+NaN:0x7ffffffffffff',
                '-sNaN:0x1', '-Inf', '2.5e-3', '1e300', '-0x1.0p0']}
for ty in ['f32', 'f64']:
    lines, checks = [], []
    for k, lit in enumerate(flts[ty]):
        b = fval(lit, ty) if lit != '-0x1p-1074' else fval('-0x1.0p-1074', ty)
        lines.append('    v%d = %sconst %s' % (k, ty, lit))
        checks.append('v%d = %sconst %s' % (k, ty, canon(b, ty)))
    f.func('function %%%s_literals() {\nblock0:\n%s\n    return\n}' % (ty, '\n'.join(lines)))
    f.raw('; check: block0:')
    for c in checks: f.raw('; nextln: ' + c)
    f.raw('; nextln: return')
f.write()

from lib import *
from gen_int import icmp, CCS, MAX
import math

total = 0
# ------------------------------------------------------------ select
f = File('interpret/select.clif', intro='''
select c, x, y is x when c is non-zero, else y: every value type, and conditions of every
integer type (a non-zero condition with only its high bits set, or only bits above 32, still
selects x).''')
vals = {'i8': ('1', '-1'), 'i16': ('1000', '-1000'), 'i32': ('0x1234_5678', '-1'), 'i64': ('0x1_0000_0000', '-2'),
        'f32': ('0x1.8p0', '-Inf'), 'f64': ('-0x1.0p-1022', '+Inf')}
for ty in ['i8', 'i16', 'i32', 'i64', 'f32', 'f64']:
    name = 'select_' + ty
    f.func('''function %%%s(i8, %s, %s) -> %s {
block0(v0: i8, v1: %s, v2: %s):
    v3 = select v0, v1, v2
    return v3
}''' % (name, ty, ty, ty, ty, ty))
    x, y = vals[ty]
    for c, r in [('0', y), ('1', x), ('-1', x), ('0x80', x), ('2', x)]:
        f.run(call(name, [c, x, y]), '== ' + r)
for cty in ['i16', 'i32', 'i64']:
    n = BITS[cty]
    name = 'select_cond_' + cty
    f.func('''function %%%s(%s, i32, i32) -> i32 {
block0(v0: %s, v1: i32, v2: i32):
    v3 = select v0, v1, v2
    return v3
}''' % (name, cty, cty))
    conds = [0, 1, MIN(n), mask(n), 0x100] + ([1 << 32, 1 << 63] if n == 64 else []) + ([1 << 16] if n >= 32 else [])
    for c in conds:
        f.run(call(name, [fmt_int(c, n), '10', '20']), '== %d' % (10 if c else 20),
              note='only bits above 32 set: still non-zero' if c == 1 << 32 else None)
f.func('''function %select_from_icmp(i32, i32) -> i32 {
block0(v0: i32, v1: i32):
    v2 = icmp slt v0, v1
    v3 = select v2, v0, v1
    return v3
}''')
for a, b in [(1, 2), (2, 1), (-5, 3), (5, -3)]:
    f.run(call('select_from_icmp', [str(a), str(b)]), '== %d' % min(a, b))
f.func('''function %select_float_cond(f64, f64) -> f64 {
block0(v0: f64, v1: f64):
    v2 = fcmp uno v0, v1
    v3 = select v2, v1, v0
    return v3
}''')
f.run(call('select_float_cond', ['0x1.0p0', '0x1.0p1']), '== 0x1.0p0')
f.run(call('select_float_cond', ['+NaN', '0x1.0p1']), '== 0x1.0p1')
total += f.write()

# ------------------------------------------------------------ control flow
f = File('interpret/control.clif', intro='''
Control flow: brif, jump, br_table, the mid-block (EBB) branches brz brnz br_icmp that fall
through to the next instruction when not taken, and loops that carry values in block
parameters.''')
f.func('''function %brif_i32(i32) -> i32 {
block0(v0: i32):
    brif v0, block1, block2

block1:
    v1 = iconst.i32 10
    return v1

block2:
    v2 = iconst.i32 20
    return v2
}''')
for a, r in [('0', 20), ('1', 10), ('-1', 10), ('0x8000_0000', 10), ('256', 10)]:
    f.run(call('brif_i32', [a]), '== %d' % r)
for ty, cs in [('i8', [('0', 2), ('0x80', 1), ('-1', 1)]), ('i16', [('0', 2), ('0x100', 1)]),
               ('i64', [('0', 2), ('0x1_0000_0000', 1), ('0x8000_0000_0000_0000', 1), ('1', 1)])]:
    name = 'brif_args_' + ty
    f.func('''function %%%s(%s, i32, i32) -> i32 {
block0(v0: %s, v1: i32, v2: i32):
    brif v0, block1(v1, v2), block1(v2, v1)

block1(v3: i32, v4: i32):
    v5 = isub v3, v4
    return v5
}''' % (name, ty, ty))
    for c, r in cs:
        f.run(call(name, [c, '7', '5']), '== %d' % (2 if r == 1 else -2),
              note='the condition is non-zero only above bit 31' if c == '0x1_0000_0000' else None)
f.func('''function %jump_chain(i64) -> i64 {
block0(v0: i64):
    v1 = iadd_imm v0, 1
    jump block2(v1)

block1(v2: i64, v3: i64):
    v4 = imul v2, v3
    return v4

block2(v5: i64):
    v6 = iadd_imm v5, 2
    jump block1(v5, v6)
}''')
for a in [0, 1, 10, -3]:
    f.run(call('jump_chain', [str(a)]), '== %d' % ((a + 1) * (a + 3)),
          note='blocks in the layout out of control-flow order' if a == 0 else None)

# br_table
f.func('''function %br_table_i32(i32) -> i32 {
block0(v0: i32):
    br_table v0, block4, [block1, block2, block3, block2]

block1:
    v1 = iconst.i32 1
    return v1

block2:
    v2 = iconst.i32 2
    return v2

block3:
    v3 = iconst.i32 3
    return v3

block4:
    v4 = iconst.i32 4
    return v4
}''')
for a, r, note in [('0', 1, None), ('1', 2, None), ('2', 3, None), ('3', 2, 'two entries may share a block'),
                   ('4', 4, 'first index past the table: default'), ('-1', 4, '0xffff_ffff is a huge unsigned index: default'),
                   ('0x8000_0000', 4, 'MIN is a huge unsigned index, not negative'), ('0x7fff_ffff', 4, None)]:
    f.run(call('br_table_i32', [a]), '== %d' % r, note=note)
f.func('''function %br_table_i8(i8) -> i8 {
block0(v0: i8):
    br_table v0, block2, [block1, block1]

block1:
    v1 = iconst.i8 1
    return v1

block2:
    v2 = iconst.i8 2
    return v2
}''')
for a, r in [('0', 1), ('1', 1), ('2', 2), ('255', 2), ('-128', 2)]:
    f.run(call('br_table_i8', [a]), '== %d' % r)
f.func('''function %br_table_i64(i64) -> i64 {
block0(v0: i64):
    br_table v0, block2, [block1, block3]

block1:
    v1 = iconst.i64 10
    return v1

block2:
    v2 = iconst.i64 20
    return v2

block3:
    v3 = iconst.i64 30
    return v3
}''')
for a, r, note in [('0', 10, None), ('1', 30, None), ('2', 20, None),
                   ('0x1_0000_0000', 20, 'low 32 bits are 0, but the index is 2^32: default'),
                   ('0x1_0000_0001', 20, None), ('-1', 20, None), ('0x8000_0000_0000_0000', 20, None)]:
    f.run(call('br_table_i64', [a]), '== %d' % r, note=note)
f.func('''function %br_table_args(i32, i32) -> i32 {
block0(v0: i32, v1: i32):
    v2 = iadd_imm v1, 100
    br_table v0, block2(v1, v2), [block1(v1), block1(v2), block2(v2, v1)]

block1(v3: i32):
    return v3

block2(v4: i32, v5: i32):
    v6 = isub v4, v5
    return v6
}''')
for a, r in [('0', 5), ('1', 105), ('2', 100), ('3', -100), ('-1', -100)]:
    f.run(call('br_table_args', [a, '5']), '== %d' % r)
f.func('''function %br_table_empty(i32) -> i32 {
block0(v0: i32):
    br_table v0, block1, []

block1:
    v1 = iconst.i32 7
    return v1
}''')
for a in ['0', '1', '-1']:
    f.run(call('br_table_empty', [a]), '== 7', note='an empty table always takes the default' if a == '0' else None)

# mid-block branches
f.func('''function %brz_brnz_mid(i32, i32) -> i32 {
block0(v0: i32, v1: i32):
    v2 = iconst.i32 100
    brz v0, block1(v2)
    v3 = iadd v0, v1
    brnz v1, block1(v3)
    v4 = iconst.i32 -1
    return v4

block1(v5: i32):
    return v5
}''')
for a, b, r, note in [(0, 5, 100, 'brz taken'), (3, 5, 8, 'brz falls through, brnz taken with a value defined between them'),
                      (3, 0, -1, 'both fall through to the return at the end of the EBB'), (0, 0, 100, None)]:
    f.run(call('brz_brnz_mid', [str(a), str(b)]), '== %d' % r, note=note)
f.func('''function %brz_i64_high(i64) -> i32 {
block0(v0: i64):
    v1 = iconst.i32 1
    brz v0, block1(v1)
    v2 = iconst.i32 2
    brnz v0, block1(v2)
    v3 = iconst.i32 3
    return v3

block1(v4: i32):
    return v4
}''')
for a, r in [('0', 1), ('1', 2), ('0x1_0000_0000', 2), ('-1', 2)]:
    f.run(call('brz_i64_high', [a]), '== %d' % r)
for ty in ['i8', 'i64']:
    n = BITS[ty]
    for cc in CCS:
        name = 'br_icmp_%s_%s' % (cc, ty)
        f.func('''function %%%s(%s, %s) -> i8 {
block0(v0: %s, v1: %s):
    v2 = iconst.i8 1
    br_icmp %s v0, v1, block1(v2)
    v3 = iconst.i8 0
    return v3

block1(v4: i8):
    return v4
}''' % (name, ty, ty, ty, ty, cc))
        for a, b in [(0, 0), (1, 0), (0, 1), (mask(n), 0), (0, mask(n)), (MAX(n), MIN(n)), (MIN(n), MAX(n))]:
            f.run(call(name, [fmt_int(a, n), fmt_int(b, n)]), '== %d' % icmp(cc, a, b, n))
f.func('''function %br_icmp_chain(i32, i32) -> i32 {
block0(v0: i32, v1: i32):
    br_icmp slt v0, v1, block1(v0)
    br_icmp ugt v0, v1, block1(v1)
    v2 = iconst.i32 0
    return v2

block1(v3: i32):
    return v3
}''')
def chain(a, b):
    if icmp('slt', a, b, 32): return a
    if icmp('ugt', a, b, 32): return b
    return 0
for a, b in [(1, 2), (-1, 2), (2, 1), (5, 5), (2, -1), (0x80000000, 0)]:
    f.run(call('br_icmp_chain', [fmt_int(u(a, 32), 32), fmt_int(u(b, 32), 32)]), '== ' + fmt_int(chain(u(a, 32), u(b, 32)), 32))

# loops
f.func('''function %sum_to(i32) -> i32 {
block0(v0: i32):
    v1 = iconst.i32 0
    jump block1(v0, v1)

block1(v2: i32, v3: i32):
    brz v2, block2(v3)
    v4 = iadd v3, v2
    v5 = iadd_imm v2, -1
    jump block1(v5, v4)

block2(v6: i32):
    return v6
}''')
for n in [0, 1, 10, 100, 1000]:
    f.run(call('sum_to', [str(n)]), '== %d' % (n * (n + 1) // 2))
f.func('''function %swap_loop(i32, i32, i32) -> i32, i32 {
block0(v0: i32, v1: i32, v2: i32):
    jump block1(v0, v1, v2)

block1(v3: i32, v4: i32, v5: i32):
    brif v5, block2, block3

block2:
    v6 = iadd_imm v5, -1
    jump block1(v4, v3, v6)

block3:
    return v3, v4
}''')
f.note('the back edge passes (v4, v3): a parallel swap, which must not be done as two sequential moves')
for k in range(4):
    f.run(call('swap_loop', ['1', '2', str(k)]), '== [%d, %d]' % ((1, 2) if k % 2 == 0 else (2, 1)))
f.func('''function %rotate3(i32, i32, i32, i32) -> i32 {
block0(v0: i32, v1: i32, v2: i32, v3: i32):
    jump block1(v0, v1, v2, v3)

block1(v4: i32, v5: i32, v6: i32, v7: i32):
    brz v7, block2
    v8 = iadd_imm v7, -1
    jump block1(v5, v6, v4, v8)

block2:
    v9 = imul_imm v4, 100
    v10 = imul_imm v5, 10
    v11 = iadd v9, v10
    v12 = iadd v11, v6
    return v12
}''')
def rot(k):
    a = [1, 2, 3]
    for _ in range(k): a = [a[1], a[2], a[0]]
    return a[0] * 100 + a[1] * 10 + a[2]
f.note('three parameters rotated on every back edge: a cycle of moves')
for k in range(5):
    f.run(call('rotate3', ['1', '2', '3', str(k)]), '== %d' % rot(k))
f.func('''function %fib_iter(i32) -> i32 {
block0(v0: i32):
    v1 = iconst.i32 0
    v2 = iconst.i32 1
    jump block1(v1, v2, v0)

block1(v3: i32, v4: i32, v5: i32):
    brif v5, block2, block3

block2:
    v6 = iadd v3, v4
    v7 = iadd_imm v5, -1
    jump block1(v4, v6, v7)

block3:
    return v3
}''')
fib = [0, 1]
for i in range(60): fib.append(fib[-1] + fib[-2])
for n in [0, 1, 2, 10, 46, 47]:
    f.run(call('fib_iter', [str(n)]), '== ' + fmt_int(u(fib[n], 32), 32),
          note='fib(47) = 2971215073 wraps in i32' if n == 47 else None)
f.func('''function %nested_loops(i32) -> i64 {
block0(v0: i32):
    v1 = iconst.i32 0
    v2 = iconst.i64 0
    jump block1(v1, v2)

block1(v3: i32, v4: i64):
    br_icmp uge v3, v0, block4(v4)
    v5 = iconst.i32 0
    jump block2(v5, v4)

block2(v6: i32, v7: i64):
    br_icmp uge v6, v3, block3(v7)
    v8 = imul v3, v6
    v9 = uextend.i64 v8
    v10 = iadd v7, v9
    v11 = iadd_imm v6, 1
    jump block2(v11, v10)

block3(v12: i64):
    v13 = iadd_imm v3, 1
    jump block1(v13, v12)

block4(v14: i64):
    return v14
}''')
f.note('sum of i*j for 0 <= j < i < n')
for n in [0, 1, 2, 7, 30]:
    f.run(call('nested_loops', [str(n)]), '== %d' % sum(i * j for i in range(n) for j in range(i)))
f.func('''function %pow2_f64(i32) -> f64 {
block0(v0: i32):
    v1 = f64const 0x1.0p0
    jump block1(v0, v1)

block1(v2: i32, v3: f64):
    brz v2, block2(v3)
    v4 = fadd v3, v3
    v5 = iadd_imm v2, -1
    jump block1(v5, v4)

block2(v6: f64):
    return v6
}''')
for n, r in [(0, '0x1.0p0'), (10, '0x1.0p10'), (1023, '0x1.0p1023'), (1024, '+Inf')]:
    f.run(call('pow2_f64', [str(n)]), '== ' + r)
f.func('''function %diamond(i32, f32) -> f32 {
block0(v0: i32, v1: f32):
    v2 = icmp_imm sgt v0, 0
    brif v2, block1, block2

block1:
    v3 = fneg v1
    jump block3(v3)

block2:
    v4 = fadd v1, v1
    jump block3(v4)

block3(v5: f32):
    return v5
}''')
for a, x, r in [('1', '0x1.8p0', '-0x1.8p0'), ('0', '0x1.8p0', '0x1.8p1'), ('-1', '-0x1.0p0', '-0x1.0p1')]:
    f.run(call('diamond', [a, x]), '== ' + r)
f.func('''function %early_exit_loop(i32) -> i32 {
block0(v0: i32):
    v1 = iconst.i32 0
    jump block1(v1)

block1(v2: i32):
    v3 = imul v2, v2
    br_icmp sgt v3, v0, block2(v2)
    v4 = iadd_imm v2, 1
    jump block1(v4)

block2(v5: i32):
    v6 = iadd_imm v5, -1
    return v6
}''')
f.note('integer square root by search: the largest k with k*k <= n')
for n in [0, 1, 3, 4, 99, 100, 10000]:
    f.run(call('early_exit_loop', [str(n)]), '== %d' % math.isqrt(n))
total += f.write()

# ------------------------------------------------------------ calls
f = File('interpret/call.clif', intro='''
Calls between functions of this file: direct calls (the callee declared with an inline
signature or a named one), several results, recursion, mutual recursion, call_indirect through
func_addr (including a null callee and a signature mismatch), and traps inside a callee.''')
f.func('''function %add1(i32) -> i32 {
block0(v0: i32):
    v1 = iadd_imm v0, 1
    return v1
}''')
f.run(call('add1', ['41']), '== 42')
f.func('''function %double(i32) -> i32 {
block0(v0: i32):
    v1 = iadd v0, v0
    return v1
}''')
f.run(call('double', ['21']), '== 42')
f.func('''function %call_add1(i32) -> i32 {
    fn0 = %add1(i32) -> i32

block0(v0: i32):
    v1 = call fn0(v0)
    v2 = call fn0(v1)
    return v2
}''')
f.run(call('call_add1', ['40']), '== 42')
f.run(call('call_add1', ['0x7fff_fffe']), '== 0x8000_0000')
f.func('''function %divmod(i32, i32) -> i32, i32 {
block0(v0: i32, v1: i32):
    v2 = udiv v0, v1
    v3 = urem v0, v1
    return v2, v3
}''')
f.run(call('divmod', ['17', '5']), '== [3, 2]')
f.run(call('divmod', ['-1', '0x10']), '== [0xfff_ffff, 15]')
f.func('''function %call_divmod(i32, i32) -> i32 {
    sig0 = (i32, i32) -> i32, i32
    fn0 = colocated %divmod sig0

block0(v0: i32, v1: i32):
    v2, v3 = call fn0(v0, v1)
    v4 = imul_imm v2, 100
    v5 = iadd v4, v3
    return v5
}''')
f.run(call('call_divmod', ['17', '5']), '== 302')
f.run(call('call_divmod', ['17', '0']), 'traps int_divz', note='a trap in the callee ends the whole call')
f.func('''function %mixed_results(i64, f64) -> f64, i8, i64 {
block0(v0: i64, v1: f64):
    v2 = icmp_imm eq v0, 0
    v3 = fneg v1
    return v3, v2, v0
}''')
f.run(call('mixed_results', ['0', '0x1.8p0']), '== [-0x1.8p0, 1, 0]')
f.func('''function %call_mixed(i64, f64) -> i64, f64 {
    fn0 = %mixed_results(i64, f64) -> f64, i8, i64

block0(v0: i64, v1: f64):
    v2, v3, v4 = call fn0(v0, v1)
    v5 = uextend.i64 v3
    v6 = iadd v4, v5
    return v6, v2
}''')
f.run(call('call_mixed', ['0', '-0x1.0p2']), '== [1, 0x1.0p2]')
f.run(call('call_mixed', ['41', '+Inf']), '== [41, -Inf]')
f.func('''function %fact(i64) -> i64 {
    fn0 = %fact(i64) -> i64

block0(v0: i64):
    v1 = icmp_imm ule v0, 1
    brif v1, block1, block2

block1:
    v2 = iconst.i64 1
    return v2

block2:
    v3 = iadd_imm v0, -1
    v4 = call fn0(v3)
    v5 = imul v0, v4
    return v5
}''')
for n in [0, 1, 5, 20, 21, 25]:
    f.run(call('fact', [str(n)]), '== ' + fmt_int(u(math.factorial(n), 64), 64),
          note='21! = 51090942171709440000 wraps modulo 2^64' if n == 21 else None)
f.func('''function %fib_rec(i32) -> i32 {
    fn0 = %fib_rec(i32) -> i32

block0(v0: i32):
    v1 = icmp_imm slt v0, 2
    brif v1, block2(v0), block1

block1:
    v2 = iadd_imm v0, -1
    v3 = call fn0(v2)
    v4 = iadd_imm v0, -2
    v5 = call fn0(v4)
    v6 = iadd v3, v5
    jump block2(v6)

block2(v7: i32):
    return v7
}''')
for n in [0, 1, 2, 10, 20]:
    f.run(call('fib_rec', [str(n)]), '== %d' % fib[n])
f.func('''function %is_even(i32) -> i8 {
    fn0 = %is_odd(i32) -> i8

block0(v0: i32):
    brz v0, block1
    v1 = iadd_imm v0, -1
    v2 = call fn0(v1)
    return v2

block1:
    v3 = iconst.i8 1
    return v3
}''')
f.func('''function %is_odd(i32) -> i8 {
    fn0 = %is_even(i32) -> i8

block0(v0: i32):
    brz v0, block1
    v1 = iadd_imm v0, -1
    v2 = call fn0(v1)
    return v2

block1:
    v3 = iconst.i8 0
    return v3
}''')
for n in [0, 1, 10, 77]:
    f.run(call('is_odd', [str(n)]), '== %d' % (n % 2), note='mutual recursion' if n == 0 else None)
f.func('''function %call_ind(i32) -> i32 {
    sig0 = (i32) -> i32
    fn0 = %add1 sig0

block0(v0: i32):
    v1 = func_addr.i64 fn0
    v2 = call_indirect sig0, v1(v0)
    return v2
}''')
f.run(call('call_ind', ['1']), '== 2')
f.run(call('call_ind', ['-1']), '== 0')
f.func('''function %call_ind_select(i8, i32) -> i32 {
    sig0 = (i32) -> i32
    fn0 = %add1 sig0
    fn1 = %double sig0

block0(v0: i8, v1: i32):
    v2 = func_addr.i64 fn0
    v3 = func_addr.i64 fn1
    v4 = select v0, v2, v3
    v5 = call_indirect sig0, v4(v1)
    return v5
}''')
f.run(call('call_ind_select', ['1', '10']), '== 11')
f.run(call('call_ind_select', ['0', '10']), '== 20')
f.func('''function %call_ind_null(i32) -> i32 {
    sig0 = (i32) -> i32

block0(v0: i32):
    v1 = iconst.i64 0
    v2 = call_indirect sig0, v1(v0)
    return v2
}''')
f.run(call('call_ind_null', ['1']), 'traps null_reference', note='a zero callee traps null_reference')
f.func('''function %call_ind_bad_sig(i64) -> i64 {
    sig0 = (i32) -> i32
    sig1 = (i64) -> i64
    fn0 = %add1 sig0

block0(v0: i64):
    v1 = func_addr.i64 fn0
    v2 = call_indirect sig1, v1(v0)
    return v2
}''')
f.run(call('call_ind_bad_sig', ['1']), 'traps bad_sig', note='%add1 takes (i32) -> i32, not (i64) -> i64: bad_sig')
f.func('''function %call_ind_multi(i32, i32) -> i32, i32 {
    sig0 = (i32, i32) -> i32, i32
    fn0 = %divmod sig0

block0(v0: i32, v1: i32):
    v2 = func_addr.i64 fn0
    v3, v4 = call_indirect sig0, v2(v0, v1)
    return v4, v3
}''')
f.run(call('call_ind_multi', ['100', '7']), '== [2, 14]')
f.run(call('call_ind_multi', ['100', '0']), 'traps int_divz')
f.func('''function %no_results(i32) {
block0(v0: i32):
    trapz v0, user(7)
    return
}''')
f.run(call('no_results', ['0']), 'traps user(7)')
f.func('''function %call_no_results(i32) -> i32 {
    fn0 = %no_results(i32)

block0(v0: i32):
    call fn0(v0)
    v1 = iadd_imm v0, 5
    return v1
}''')
f.run(call('call_no_results', ['1']), '== 6')
f.run(call('call_no_results', ['0']), 'traps user(7)')
total += f.write()

# ------------------------------------------------------------ stack slots
f = File('interpret/stack.clif', intro='''
Explicit stack slots: stack_store / stack_load at offsets, stack_addr with memory-level
load / store (and their offsets), the narrow forms (uload8 sload8 uload16 sload16 uload32
sload32 istore8 istore16 istore32), little-endian byte order, and slots that do not overlap.
Every test writes a slot before reading it (slots are not zeroed).''')
for ty in ['i8', 'i16', 'i32', 'i64', 'f32', 'f64']:
    name = 'stack_rt_' + ty
    f.func('''function %%%s(%s) -> %s {
    ss0 = explicit_slot %d

block0(v0: %s):
    stack_store v0, ss0
    v1 = stack_load.%s ss0
    return v1
}''' % (name, ty, ty, max(BITS.get(ty, 32 if ty == 'f32' else 64) // 8, 1), ty, ty))
    samples = {'i8': ['-128', '127', '0'], 'i16': ['-32768', '0x1234'], 'i32': ['0x1234_5678', '-1'],
               'i64': ['0x0123_4567_89ab_cdef', '0x8000_0000_0000_0000'], 'f32': ['0x1.8p0', '-0.0', '-Inf'],
               'f64': ['0x1.fffffffffffffp1023', '-0x1.0p-1074' if False else '-0x0.0000000000001p-1022']}[ty]
    for v in samples:
        f.run(call(name, [v]), '== ' + v)
f.func('''function %stack_nan_bits(i32, i64) -> i32, i64 {
    ss0 = explicit_slot 16, align = 8

block0(v0: i32, v1: i64):
    v2 = bitcast.f32 v0
    v3 = bitcast.f64 v1
    stack_store v2, ss0
    stack_store v3, ss0+8
    v4 = stack_load.f32 ss0
    v5 = stack_load.f64 ss0+8
    v6 = bitcast.i32 v4
    v7 = bitcast.i64 v5
    return v6, v7
}''')
f.run(call('stack_nan_bits', ['0x7f80_0001', '0xfff0_0000_0000_0001']), '== [0x7f80_0001, 0xfff0_0000_0000_0001]',
      note='signalling NaNs go through memory unchanged')
f.func('''function %stack_offsets(i32, i64) -> i64, i32 {
    ss0 = explicit_slot 16

block0(v0: i32, v1: i64):
    stack_store v1, ss0+8
    stack_store v0, ss0+4
    v2 = stack_load.i64 ss0+8
    v3 = stack_load.i32 ss0+4
    return v2, v3
}''')
f.run(call('stack_offsets', ['7', '-9']), '== [-9, 7]')
f.func('''function %stack_two_slots(i64, i64) -> i64, i64 {
    ss0 = explicit_slot 8
    ss1 = explicit_slot 8

block0(v0: i64, v1: i64):
    stack_store v0, ss0
    stack_store v1, ss1
    v2 = stack_load.i64 ss0
    v3 = stack_load.i64 ss1
    return v2, v3
}''')
f.run(call('stack_two_slots', ['1', '2']), '== [1, 2]', note='distinct slots do not overlap')
f.run(call('stack_two_slots', ['-1', '0']), '== [-1, 0]')
f.func('''function %stack_bytes(i32) -> i32, i32, i32, i32, i32 {
    ss0 = explicit_slot 4

block0(v0: i32):
    stack_store v0, ss0
    v1 = stack_addr.i64 ss0
    v2 = uload8.i32 v1
    v3 = uload8.i32 v1+3
    v4 = sload8.i32 v1+3
    v5 = uload16.i32 v1+1
    v6 = sload16.i32 v1+2
    return v2, v3, v4, v5, v6
}''')
def sb(x):
    bs = x.to_bytes(4, 'little')
    return [bs[0], bs[3], u(s(bs[3], 8), 32), bs[1] | bs[2] << 8, u(s(bs[2] | bs[3] << 8, 16), 32)]
for x in [0x11223344, 0x80ff7f01, 0xdeadbeef]:
    f.run(call('stack_bytes', [fmt_int(x, 32)]), '== [' + ', '.join(fmt_int(v, 32) for v in sb(x)) + ']',
          note='little-endian: byte 0 is the least significant' if x == 0x11223344 else None)
f.func('''function %stack_narrow64(i64) -> i64, i64, i64, i64 {
    ss0 = explicit_slot 8

block0(v0: i64):
    v1 = stack_addr.i64 ss0
    store v0, v1
    v2 = uload32.i64 v1
    v3 = sload32.i64 v1+4
    v4 = sload8.i64 v1+7
    v5 = uload16.i64 v1+6
    return v2, v3, v4, v5
}''')
for x in [0x8000000180000002, 0x0123456789abcdef]:
    r = [x & mask(32), u(s(x >> 32, 32), 64), u(s(x >> 56, 8), 64), x >> 48]
    f.run(call('stack_narrow64', [fmt_int(x, 64)]), '== [' + ', '.join(fmt_int(v, 64) for v in r) + ']')
f.func('''function %stack_narrow_stores(i64, i32) -> i64 {
    ss0 = explicit_slot 8

block0(v0: i64, v1: i32):
    v2 = iconst.i64 -1
    stack_store v2, ss0
    v3 = stack_addr.i64 ss0
    istore8 v1, v3
    istore16 v1, v3+2
    v4 = iconst.i64 0
    v5 = stack_addr.i64 ss0+4
    v6 = ireduce.i32 v0
    store v6, v5
    v7 = load.i64 v3
    return v7
}''')
def ns(x0, x1):
    b = bytearray(b'\xff' * 8)
    b[0] = x1 & 0xff
    b[2:4] = (x1 & 0xffff).to_bytes(2, 'little')
    b[4:8] = (x0 & mask(32)).to_bytes(4, 'little')
    return int.from_bytes(b, 'little')
f.note('istore8 writes byte 0 only, istore16 bytes 2-3; byte 1 keeps the 0xff stored first')
for x0, x1 in [(0, 0), (0x1122334455667788, 0x0a0b0c0d)]:
    f.run(call('stack_narrow_stores', [fmt_int(x0, 64), fmt_int(x1, 32)]), '== ' + fmt_int(ns(x0, x1), 64))
f.func('''function %stack_istore32(i64) -> i64, i64 {
    ss0 = explicit_slot 16

block0(v0: i64):
    v1 = stack_addr.i64 ss0
    v2 = iconst.i64 0
    store notrap aligned v2, v1
    store notrap aligned v2, v1+8
    istore32 v0, v1+4
    v3 = load.i64 notrap aligned v1
    v4 = stack_load.i64 ss0+8
    return v3, v4
}''')
f.run(call('stack_istore32', ['0x1122_3344_5566_7788']), '== [0x5566_7788_0000_0000, 0]',
      note='istore32 at +4 writes the low half of the value into the high half of the first word')
f.func('''function %stack_addr_offsets(i32) -> i32 {
    ss0 = explicit_slot 12

block0(v0: i32):
    v1 = stack_addr.i64 ss0+8
    store v0, v1
    v2 = stack_addr.i64 ss0
    v3 = load.i32 v2+8
    v4 = iadd_imm v2, 12
    v5 = load.i32 v4-4
    v6 = iadd v3, v5
    return v6
}''')
f.run(call('stack_addr_offsets', ['21']), '== 42', note='the same word through stack_addr+8, addr+8 and (addr+12)-4')
f.func('''function %stack_store_float_load_int(f64) -> i64, i32 {
    ss0 = explicit_slot 8

block0(v0: f64):
    stack_store v0, ss0
    v1 = stack_load.i64 ss0
    v2 = stack_load.i32 ss0+4
    return v1, v2
}''')
f.run(call('stack_store_float_load_int', ['0x1.8p0']), '== [0x3ff8_0000_0000_0000, 0x3ff8_0000]')
f.run(call('stack_store_float_load_int', ['-0.0']), '== [0x8000_0000_0000_0000, 0x8000_0000]')
f.func('''function %stack_in_loop(i32) -> i32 {
    ss0 = explicit_slot 4

block0(v0: i32):
    v1 = iconst.i32 0
    stack_store v1, ss0
    jump block1(v0)

block1(v2: i32):
    brz v2, block2
    v3 = stack_load.i32 ss0
    v4 = iadd v3, v2
    stack_store v4, ss0
    v5 = iadd_imm v2, -1
    jump block1(v5)

block2:
    v6 = stack_load.i32 ss0
    return v6
}''')
f.run(call('stack_in_loop', ['10']), '== 55')
f.run(call('stack_in_loop', ['0']), '== 0')
total += f.write()

# ------------------------------------------------------------ heaps
HEAP_PRE = '''    gv0 = vmctx
    gv1 = load.i64 notrap aligned gv0
    gv2 = load.i64 notrap aligned gv0+8
    heap0 = dynamic gv1, min 0, bound gv2, offset_guard 0, index_type i32'''
HEAPDIR = '; heap: static, size=0x1000, ptr=vmctx+0, bound=vmctx+8'
f = File('interpret/heap.clif', intro='''
Sandbox-level heap access: heap_load / heap_store and the narrow forms. The runner allocates a
zeroed 0x1000-byte heap (base at vmctx+0, size at vmctx+8). An access of n bytes at index + offset
is in bounds iff zext(index) + offset + n <= bound, so the last valid i32 index is 0xffc and
0xffd traps heap_oob; indices are zero-extended (-1 is 0xffff_ffff, far out of bounds). Also
global_value, heap_addr with memory-level load / store, and table_addr.''')
for ty in ['i8', 'i16', 'i32', 'i64', 'f32', 'f64']:
    nb = {'i8': 1, 'i16': 2, 'i32': 4, 'i64': 8, 'f32': 4, 'f64': 8}[ty]
    name = 'heap_rt_' + ty
    f.func('''function %%%s(i64 vmctx, i32, %s) -> %s {
%s

block0(v0: i64, v1: i32, v2: %s):
    heap_store v2, heap0 v1
    v3 = heap_load.%s heap0 v1
    return v3
}''' % (name, ty, ty, HEAP_PRE, ty, ty))
    f.raw(HEAPDIR)
    val = {'i8': '-7', 'i16': '0x1234', 'i32': '0x1234_5678', 'i64': '-2', 'f32': '-0x1.8p0', 'f64': '0x1.8p1'}[ty]
    last = 0x1000 - nb
    f.run(call(name, ['0', val]), '== ' + val)
    f.run(call(name, ['0x%x' % last, val]), '== ' + val, note='the last %d byte%s of the heap' % (nb, 's' if nb > 1 else ''))
    f.run(call(name, ['0x%x' % (last + 1), val]), 'traps heap_oob', note='one byte past the end')
    if last + 1 != 0x1000: f.run(call(name, ['0x1000', val]), 'traps heap_oob')
    f.run(call(name, ['-1', val]), 'traps heap_oob', note='index 0xffff_ffff, zero-extended')
    f.run(call(name, ['0x8000_0000', val]), 'traps heap_oob')
f.func('''function %%heap_offsets(i64 vmctx, i32, i32) -> i32 {
%s

block0(v0: i64, v1: i32, v2: i32):
    heap_store v2, heap0 v1+4
    v3 = heap_load.i32 heap0 v1+4
    v4 = iadd_imm v1, 4
    v5 = heap_load.i32 heap0 v4
    v6 = iadd v3, v5
    return v6
}''' % HEAP_PRE)
f.raw(HEAPDIR)
f.run(call('heap_offsets', ['0', '21']), '== 42')
f.run(call('heap_offsets', ['0xff8', '21']), '== 42', note='0xff8 + 4 + 4 = 0x1000: in bounds')
f.run(call('heap_offsets', ['0xff9', '21']), 'traps heap_oob')
f.run(call('heap_offsets', ['0xffff_fffc', '21']), 'traps heap_oob', note='index + offset must not wrap around 32 bits')
f.func('''function %%heap_big_offset(i64 vmctx, i32, i8) -> i8 {
%s

block0(v0: i64, v1: i32, v2: i8):
    heap_store v2, heap0 v1+4095
    v3 = heap_load.i8 heap0 v1+4095
    return v3
}''' % HEAP_PRE)
f.raw(HEAPDIR)
f.run(call('heap_big_offset', ['0', '5']), '== 5')
f.run(call('heap_big_offset', ['1', '5']), 'traps heap_oob')
f.func('''function %%heap_narrow_loads(i64 vmctx, i32) -> i32, i32, i32, i32, i64, i64 {
%s

block0(v0: i64, v1: i32):
    v2 = iconst.i32 0
    heap_store v1, heap0 v2
    heap_store v1, heap0 v2+4
    v3 = heap_uload8.i32 heap0 v2+3
    v4 = heap_sload8.i32 heap0 v2+3
    v5 = heap_uload16.i32 heap0 v2+2
    v6 = heap_sload16.i32 heap0 v2+2
    v7 = heap_uload32.i64 heap0 v2+4
    v8 = heap_sload32.i64 heap0 v2
    return v3, v4, v5, v6, v7, v8
}''' % HEAP_PRE)
f.raw(HEAPDIR)
def hn(x):
    b3 = x >> 24; h = x >> 16
    return '== [%s]' % ', '.join([fmt_int(b3, 32), fmt_int(u(s(b3, 8), 32), 32), fmt_int(h, 32), fmt_int(u(s(h, 16), 32), 32),
                                  fmt_int(x, 64), fmt_int(u(s(x, 32), 64), 64)])
for x in [0x80ff7f01, 0x7f018000, 0x12345678]:
    f.run(call('heap_narrow_loads', [fmt_int(x, 32)]), hn(x))
f.func('''function %%heap_narrow_stores(i64 vmctx, i64) -> i64 {
%s

block0(v0: i64, v1: i64):
    v2 = iconst.i32 16
    v3 = iconst.i64 -1
    heap_store v3, heap0 v2
    heap_istore8 v1, heap0 v2
    heap_istore16 v1, heap0 v2+2
    v4 = heap_load.i64 heap0 v2
    heap_istore32 v1, heap0 v2+4
    v5 = heap_load.i64 heap0 v2
    v6 = bxor v4, v5
    return v6
}''' % HEAP_PRE)
f.raw(HEAPDIR)
def hns(x):
    b = bytearray(b'\xff' * 8)
    b[0] = x & 0xff; b[2:4] = (x & 0xffff).to_bytes(2, 'little')
    v4 = int.from_bytes(b, 'little')
    b[4:8] = (x & mask(32)).to_bytes(4, 'little')
    v5 = int.from_bytes(b, 'little')
    return v4 ^ v5
for x in [0x0102030405060708, 0]:
    f.run(call('heap_narrow_stores', [fmt_int(x, 64)]), '== ' + fmt_int(hns(x), 64))
for op, nb in [('heap_istore8', 1), ('heap_istore16', 2), ('heap_istore32', 4)]:
    name = op + '_edge'
    f.func('''function %%%s(i64 vmctx, i32, i64) -> i64 {
%s

block0(v0: i64, v1: i32, v2: i64):
    %s v2, heap0 v1
    v3 = heap_uload%d.i64 heap0 v1
    return v3
}''' % (name, HEAP_PRE, op, nb * 8))
    f.raw(HEAPDIR)
    x = 0x1122334455667788
    f.run(call(name, ['0x%x' % (0x1000 - nb), fmt_int(x, 64)]), '== ' + fmt_int(x & mask(8 * nb), 64))
    f.run(call(name, ['0x%x' % (0x1000 - nb + 1), fmt_int(x, 64)]), 'traps heap_oob',
          note='%d-byte store one byte past the end' % nb)
for op, nb in [('heap_uload8', 1), ('heap_sload16', 2), ('heap_sload32', 4)]:
    name = op + '_edge'
    f.func('''function %%%s(i64 vmctx, i32) -> i64 {
%s

block0(v0: i64, v1: i32):
    v2 = %s.i64 heap0 v1
    return v2
}''' % (name, HEAP_PRE, op))
    f.raw(HEAPDIR)
    f.run(call(name, ['0x%x' % (0x1000 - nb + 1)]), 'traps heap_oob')
f.func('''function %heap_static_i64(i64 vmctx, i64, i32) -> i32 {
    gv0 = vmctx
    gv1 = load.i64 notrap aligned gv0
    heap0 = static gv1, min 0x800, bound 0x800, offset_guard 0, index_type i64

block0(v0: i64, v1: i64, v2: i32):
    heap_store v2, heap0 v1
    v3 = heap_load.i32 heap0 v1
    return v3
}''')
f.raw(HEAPDIR)
f.note('a static heap with a constant bound of 0x800 (smaller than the memory) and an i64 index')
f.run(call('heap_static_i64', ['0x7fc', '9']), '== 9')
f.run(call('heap_static_i64', ['0x7fd', '9']), 'traps heap_oob')
f.run(call('heap_static_i64', ['0x8000_0000_0000_0000', '9']), 'traps heap_oob')
f.run(call('heap_static_i64', ['-4', '9']), 'traps heap_oob', note='index + 4 must not wrap around 64 bits')
f.func('''function %%heap_global_values(i64 vmctx, i32) -> i64, i64 {
%s

block0(v0: i64, v1: i32):
    v2 = global_value.i64 gv2
    v3 = heap_addr.i64 heap0, v1, 4
    v4 = global_value.i64 gv1
    v5 = isub v3, v4
    return v2, v5
}''' % HEAP_PRE)
f.raw(HEAPDIR)
f.note('global_value gv2 is the bound (the heap size); heap_addr is base + zext(index)')
f.run(call('heap_global_values', ['0']), '== [4096, 0]')
f.run(call('heap_global_values', ['0xffc']), '== [4096, 4092]')
f.run(call('heap_global_values', ['0xffd']), 'traps heap_oob', note='the address computation traps unless index + 4 <= bound')
f.func('''function %%heap_addr_memory_level(i64 vmctx, i32, i32) -> i32 {
%s

block0(v0: i64, v1: i32, v2: i32):
    v3 = heap_addr.i64 heap0, v1, 8
    store notrap v2, v3
    v4 = iadd_imm v2, 1
    store notrap v4, v3+4
    v5 = load.i32 notrap v3+4
    v6 = heap_load.i32 heap0 v1
    v7 = isub v5, v6
    return v7
}''' % HEAP_PRE)
f.raw(HEAPDIR)
f.run(call('heap_addr_memory_level', ['0x100', '41']), '== 1')
f.run(call('heap_addr_memory_level', ['0xff8', '-1']), '== 1')
f.run(call('heap_addr_memory_level', ['0xff9', '1']), 'traps heap_oob')
f.func('''function %heap_table_addr(i64 vmctx, i32) -> i64 {
    gv0 = vmctx
    gv1 = load.i64 notrap aligned gv0
    gv2 = load.i64 notrap aligned gv0+8
    table0 = dynamic gv1, min 0, bound gv2, element_size 8, index_type i32

block0(v0: i64, v1: i32):
    v2 = table_addr.i64 table0, v1, 4
    v3 = global_value.i64 gv1
    v4 = isub v2, v3
    return v4
}''')
f.raw(HEAPDIR)
f.note('a table of 0x1000 elements (the bound read from vmctx+8) of 8 bytes: table_addr is base + index * 8 + 4')
f.run(call('heap_table_addr', ['0']), '== 4')
f.run(call('heap_table_addr', ['3']), '== 28')
f.run(call('heap_table_addr', ['0xfff']), '== ' + fmt_int(0xfff * 8 + 4, 64))
f.run(call('heap_table_addr', ['0x1000']), 'traps table_oob')
f.run(call('heap_table_addr', ['-1']), 'traps table_oob')
f.func('''function %%heap_loop_fill(i64 vmctx, i32) -> i32 {
%s

block0(v0: i64, v1: i32):
    v2 = iconst.i32 0
    jump block1(v2)

block1(v3: i32):
    br_icmp uge v3, v1, block2
    v4 = ishl_imm v3, 2
    heap_store v3, heap0 v4
    v5 = iadd_imm v3, 1
    jump block1(v5)

block2:
    v6 = iconst.i32 0
    v7 = iconst.i32 0
    jump block3(v6, v7)

block3(v8: i32, v9: i32):
    br_icmp uge v8, v1, block4(v9)
    v10 = ishl_imm v8, 2
    v11 = heap_load.i32 heap0 v10
    v12 = iadd v9, v11
    v13 = iadd_imm v8, 1
    jump block3(v13, v12)

block4(v14: i32):
    return v14
}''' % HEAP_PRE)
f.raw(HEAPDIR)
f.run(call('heap_loop_fill', ['100']), '== 4950')
f.run(call('heap_loop_fill', ['1024']), '== %d' % (1023 * 1024 // 2), note='fills the whole heap')
f.run(call('heap_loop_fill', ['1025']), 'traps heap_oob', note='element 1024 is at 0x1000')
total += f.write()

# ------------------------------------------------------------ traps
TRAPS = ['heap_oob', 'table_oob', 'int_divz', 'int_ovf', 'bad_toint', 'bad_sig', 'null_reference', 'stk_ovf',
         'unreachable', 'interrupt', 'user(0)', 'user(3)', 'user(65535)']
f = File('interpret/trap.clif', intro='''
trap with every built-in code and user(N) codes; trapz (traps when the condition is zero) and
trapnz (when non-zero) at every integer width, mid-block and in loops.''')
for k, code in enumerate(TRAPS):
    name = 'trap_%d' % k
    f.func('''function %%%s() -> i32 {
block0:
    trap %s
}''' % (name, code))
    f.run(call(name, []), 'traps ' + code)
f.func('''function %trap_icall_null() {
block0:
    trap icall_null
}''')
f.run(call('trap_icall_null', []), 'traps null_reference', note="CLIF's icall_null is Twill's null_reference")
f.func('''function %trap_user_clif() {
block0:
    trap user3
}''')
f.run(call('trap_user_clif', []), 'traps user(3)', note="CLIF's spelling user3 is user(3)")
for ty in INTS:
    n = BITS[ty]
    for op in ['trapz', 'trapnz']:
        name = '%s_%s' % (op, ty)
        f.func('''function %%%s(%s) -> %s {
block0(v0: %s):
    %s v0, user(%d)
    v1 = iadd_imm v0, 1
    return v1
}''' % (name, ty, ty, ty, op, n))
        xs = [0, 1, mask(n), MIN(n)] + ([1 << 32] if n == 64 else [])
        for x in xs:
            trapped = (x == 0) == (op == 'trapz')
            f.run(call(name, [fmt_int(x, n)]), 'traps user(%d)' % n if trapped else '== ' + fmt_int(u(x + 1, n), n),
                  note='only bits above 32 set: non-zero' if x == 1 << 32 else None)
f.func('''function %trap_after_branch(i32) -> i32 {
block0(v0: i32):
    brnz v0, block1
    trap unreachable

block1:
    v1 = icmp_imm ugt v0, 10
    trapnz v1, int_ovf
    return v0
}''')
for x, r in [('0', 'traps unreachable'), ('1', '== 1'), ('10', '== 10'), ('11', 'traps int_ovf'), ('-1', 'traps int_ovf')]:
    f.run(call('trap_after_branch', [x]), r)
f.func('''function %trap_in_loop(i32) -> i32 {
block0(v0: i32):
    v1 = iconst.i32 0
    jump block1(v1)

block1(v2: i32):
    v3 = isub v0, v2
    trapz v3, user(1)
    v4 = iadd_imm v2, 1
    v5 = icmp_imm slt v4, 5
    brif v5, block1(v4), block2

block2:
    return v4
}''')
f.note('traps on the iteration where the counter reaches the argument')
for x, r in [('3', 'traps user(1)'), ('0', 'traps user(1)'), ('9', '== 5'), ('-1', '== 5')]:
    f.run(call('trap_in_loop', [x]), r)
f.func('''function %trap_order(i32, i32) -> i32 {
block0(v0: i32, v1: i32):
    trapz v0, user(1)
    trapz v1, user(2)
    v2 = udiv v0, v1
    return v2
}''')
f.note('the first trap in program order wins')
for a, b, r in [('0', '0', 'traps user(1)'), ('1', '0', 'traps user(2)'), ('6', '3', '== 2')]:
    f.run(call('trap_order', [a, b]), r)
total += f.write()

f = File('interpret/stack_overflow.clif', intro='''
Unbounded recursion must end in a stk_ovf trap, never in a crash of the host (the interpreter
bounds its call depth; compiled code checks the stack limit in the prologue).''')
f.func('''function %recurse_forever(i64) -> i64 {
    fn0 = %recurse_forever(i64) -> i64

block0(v0: i64):
    v1 = iadd_imm v0, 1
    v2 = call fn0(v1)
    return v2
}''')
f.run(call('recurse_forever', ['0']), 'traps stk_ovf')
total += f.write()
print('ctrl total', total)

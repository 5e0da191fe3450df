from lib import *

PRE = '''    gv0 = vmctx
    gv1 = load.i64 notrap aligned gv0
    gv2 = load.i64 notrap aligned gv0+8
    heap0 = dynamic gv1, min 0, bound gv2, offset_guard 0, index_type i32'''
HD = '; heap: static, size=0x1000, ptr=vmctx+0, bound=vmctx+8'
total = 0

f = File('legalizer/heap_access.clif', tests=('legalizer',), intro='''
Sandbox-level heap accesses become memory-level ones: each heap_load / heap_store (and narrow
form) of n bytes at index+offset becomes `heap_addr.i64 heapN, index, offset+n`, the bounds
test, followed by the plain load / store with the `notrap` flag at the same offset; the result
keeps its value number. No sandbox-level heap access may remain. The run lines execute the
function before and after legalization.''')
LOADS = [('heap_load', 'i16', 4, 2, 'load'), ('heap_load', 'i32', 0, 4, 'load'), ('heap_load', 'i64', 8, 8, 'load'),
         ('heap_load', 'f32', 12, 4, 'load'), ('heap_load', 'f64', 0, 8, 'load'),
         ('heap_uload8', 'i32', 1, 1, 'uload8'), ('heap_sload8', 'i64', 0, 1, 'sload8'),
         ('heap_uload16', 'i64', 2, 2, 'uload16'), ('heap_sload16', 'i32', 6, 2, 'sload16'),
         ('heap_uload32', 'i64', 8, 4, 'uload32'), ('heap_sload32', 'i64', 4, 4, 'sload32')]
STORE_FOR = {'i16': 'heap_store', 'i32': 'heap_store', 'i64': 'heap_store', 'f32': 'heap_store', 'f64': 'heap_store'}
for k, (op, ty, off, nb, mop) in enumerate(LOADS):
    name = '%s_%s_%d' % (op, ty, off)
    offs = '+%d' % off if off else ''
    # store the same bytes with a plain store of the full width first, so the load reads something
    if op == 'heap_load':
        sty, sop, snb, smop = ty, 'heap_store', nb, 'store'
    else:
        sty, sop, snb, smop = ty, {1: 'heap_istore8', 2: 'heap_istore16', 4: 'heap_istore32'}[nb], nb, {1: 'istore8', 2: 'istore16', 4: 'istore32'}[nb]
    f.func('''function %%%s(i64 vmctx, i32, %s) -> %s {
%s

block0(v0: i64, v1: i32, v2: %s):
    %s v2, heap0 v1%s
    v10 = %s.%s heap0 v1%s
    return v10
}''' % (name, sty, ty, PRE, sty, sop, offs, op, ty, offs))
    f.raw('; not: heap0 v')
    f.raw('; check: heap_addr.i64 heap0, v1, %d' % (off + snb))
    f.raw('; nextln: %s notrap v2, ' % smop)
    if off: f.raw('; sameln: +%d' % off)
    f.raw('; not: heap0 v')
    f.raw('; check: heap_addr.i64 heap0, v1, %d' % (off + nb))
    f.raw('; nextln: v10 = %s.%s notrap' % (mop, ty))
    if off: f.raw('; sameln: +%d' % off)
    f.raw('; not: heap0 v')
    f.raw('; not: heap0 v')
    f.raw(HD)
    # values and expectations
    if ty in ('f32', 'f64'):
        val = {'f32': '-0x1.8p0', 'f64': '0x1.8p1'}[ty]
        exp = val
    else:
        n = BITS[ty]
        x = {'i16': 0x8001, 'i32': 0x80ff7f01, 'i64': 0xfedcba9876543210}[ty]
        val = fmt_int(x, n)
        xb = x & mask(8 * nb)
        if op == 'heap_load': r = x
        elif mop.startswith('s'): r = u(s(xb, 8 * nb), n)
        else: r = xb
        exp = fmt_int(r, n)
    last = 0x1000 - off - nb
    f.run(call(name, ['0', val]), '== ' + exp)
    f.run(call(name, ['0x%x' % last, val]), '== ' + exp, note='the access ends at the last byte of the heap')
    f.run(call(name, ['0x%x' % (last + 1), val]), 'traps heap_oob')
    f.run(call(name, ['-1', val]), 'traps heap_oob')
f.func('''function %%store_forms(i64 vmctx, i32, i64) -> i64 {
%s

block0(v0: i64, v1: i32, v2: i64):
    heap_store v2, heap0 v1+8
    v3 = bnot v2
    heap_istore8 v3, heap0 v1+8
    heap_istore16 v3, heap0 v1+10
    heap_istore32 v3, heap0 v1+12
    v4 = heap_load.i64 heap0 v1+8
    v5 = bxor v4, v2
    return v5
}''' % PRE)
for line in ['; not: heap0 v', '; check: heap_addr.i64 heap0, v1, 16', '; nextln: store notrap v2,', '; sameln: +8',
             '; check: heap_addr.i64 heap0, v1, 9', '; nextln: istore8 notrap v3,', '; sameln: +8',
             '; check: heap_addr.i64 heap0, v1, 12', '; nextln: istore16 notrap v3,', '; sameln: +10',
             '; check: heap_addr.i64 heap0, v1, 16', '; nextln: istore32 notrap v3,', '; sameln: +12',
             '; check: heap_addr.i64 heap0, v1, 16', '; nextln: v4 = load.i64 notrap', '; sameln: +8',
             '; nextln: v5 = bxor v4, v2', '; not: heap0 v']:
    f.raw(line)
f.raw(HD)
def sf(x):
    b = bytearray(x.to_bytes(8, 'little'))
    nx = (~x) & mask(64)
    b[0] = nx & 0xff
    b[2:4] = (nx & 0xffff).to_bytes(2, 'little')
    b[4:8] = (nx & mask(32)).to_bytes(4, 'little')
    return int.from_bytes(b, 'little') ^ x
f.note('the narrow stores write the low 1, 2 and 4 bytes of ~x at +8, +10 and +12; byte 9 keeps x')
for idx, x in [('0x100', 0x1122334455667788), ('0xff0', 0), ('0', 0x8000000000000001)]:
    f.run(call('store_forms', [idx, fmt_int(x, 64)]), '== ' + fmt_int(sf(x), 64))
f.run(call('store_forms', ['0xff1', '1']), 'traps heap_oob', note='the 8-byte store at +8 ends one byte past the heap')
f.func('''function %%large_offset(i64 vmctx, i32, i8) -> i8 {
%s

block0(v0: i64, v1: i32, v2: i8):
    heap_store v2, heap0 v1+4095
    v3 = heap_load.i8 heap0 v1+4095
    return v3
}''' % PRE)
for line in ['; check: heap_addr.i64 heap0, v1, 4096', '; nextln: store notrap v2,', '; sameln: +4095',
             '; check: heap_addr.i64 heap0, v1, 4096', '; nextln: v3 = load.i8 notrap', '; sameln: +4095', '; not: heap0 v']:
    f.raw(line)
f.raw(HD)
f.run(call('large_offset', ['0', '-3']), '== -3')
f.run(call('large_offset', ['1', '-3']), 'traps heap_oob')
f.func('''function %static_heap_i64_index(i64 vmctx, i64, i32) -> i32 {
    gv0 = vmctx
    gv1 = load.i64 notrap aligned readonly gv0
    heap0 = static gv1, min 0x1000, bound 0x1000, offset_guard 0, index_type i64

block0(v0: i64, v1: i64, v2: i32):
    heap_store v2, heap0 v1+16
    v3 = heap_load.i32 heap0 v1+16
    return v3
}''')
for line in ['; check: heap_addr.i64 heap0, v1, 20', '; nextln: store notrap v2,', '; sameln: +16',
             '; check: heap_addr.i64 heap0, v1, 20', '; nextln: v3 = load.i32 notrap', '; sameln: +16', '; not: heap0 v']:
    f.raw(line)
f.raw(HD)
f.run(call('static_heap_i64_index', ['0xfec', '77']), '== 77')
f.run(call('static_heap_i64_index', ['0xfed', '77']), 'traps heap_oob')
f.run(call('static_heap_i64_index', ['-16', '77']), 'traps heap_oob', note='index + 16 wraps to 0 in 64 bits: still out of bounds')
f.func('''function %%heap_in_loop(i64 vmctx, i32) -> i32 {
%s

block0(v0: i64, v1: i32):
    v2 = iconst.i32 0
    jump block1(v1, v2)

block1(v3: i32, v4: i32):
    brz v3, block2(v4)
    v5 = iadd_imm v3, -1
    v6 = ishl_imm v5, 2
    heap_store v3, heap0 v6
    v7 = heap_load.i32 heap0 v6
    v8 = iadd v4, v7
    jump block1(v5, v8)

block2(v9: i32):
    return v9
}''' % PRE)
for line in ['; check: block1(v3: i32, v4: i32):', '; check: heap_addr.i64 heap0, v6, 4', '; nextln: store notrap v3,',
             '; check: heap_addr.i64 heap0, v6, 4', '; nextln: v7 = load.i32 notrap', '; nextln: v8 = iadd v4, v7',
             '; not: heap0 v']:
    f.raw(line)
f.raw(HD)
f.run(call('heap_in_loop', ['10']), '== 55')
f.run(call('heap_in_loop', ['1024']), '== %d' % (1024 * 1025 // 2))
f.run(call('heap_in_loop', ['1025']), 'traps heap_oob')
total += f.write()

f = File('legalizer/global_value.clif', tests=('legalizer',), intro='''
global_value becomes the computation its global value describes: vmctx is the function's
vmctx parameter (the result becomes an alias of it), a load is a load from the legalized base
with the declared flags and offset, iadd_imm an iadd_imm. The result keeps its value number.''')
f.func('''function %gv_load(i64 vmctx) -> i64 {
    gv0 = vmctx
    gv1 = load.i64 notrap aligned gv0+8

block0(v0: i64):
    v1 = global_value.i64 gv1
    return v1
}''')
for line in ['; check: v1 = load.i64 notrap aligned v0+8', '; nextln: return v1', '; not: global_value.']:
    f.raw(line)
f.raw('; heap: static, size=0x1000, ptr=vmctx+0, bound=vmctx+8')
f.run(call('gv_load', []), '== 4096', note='vmctx+8 holds the heap size')
f.func('''function %gv_vmctx(i64 vmctx) -> i64 {
    gv0 = vmctx

block0(v0: i64):
    v1 = global_value.i64 gv0
    v2 = isub v1, v0
    return v2
}''')
for line in ['; check: v1 -> v0', '; nextln: v2 = isub v1, v0', '; not: global_value.']:
    f.raw(line)
f.raw('; heap: static, size=0x1000, ptr=vmctx+0, bound=vmctx+8')
f.run(call('gv_vmctx', []), '== 0')
f.func('''function %gv_chain(i64 vmctx) -> i64 {
    gv0 = vmctx
    gv1 = iadd_imm.i64 gv0, 8
    gv2 = load.i64 notrap aligned readonly gv1
    gv3 = iadd_imm.i64 gv2, -96

block0(v0: i64):
    v1 = global_value.i64 gv3
    return v1
}''')
for line in ['; check: iadd_imm v0, 8', '; nextln: load.i64 notrap aligned readonly', '; nextln: v1 = iadd_imm',
             '; sameln: -96', '; not: global_value.']:
    f.raw(line)
f.raw('; heap: static, size=0x1000, ptr=vmctx+0, bound=vmctx+8')
f.run(call('gv_chain', []), '== 4000', note='load(vmctx + 8) - 96 = 4096 - 96')
total += f.write()

f = File('legalizer/table_addr.clif', tests=('legalizer',), intro='''
table_addr table, idx, off becomes a bounds check (trapnz table_oob when idx >= bound, unsigned,
with the index zero-extended to i64) and base + idx * element_size + off.''')
f.func('''function %table_addr_8(i64 vmctx, i32) -> i64 {
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
for line in ['; not: table_addr.', '; check: uextend.i64 v1', '; check: icmp uge', '; nextln: trapnz', '; sameln: table_oob',
             '; check: v2 = iadd_imm', '; sameln: 4', '; not: table_addr.', '; not: global_value.']:
    f.raw(line)
f.raw('; heap: static, size=0x1000, ptr=vmctx+0, bound=vmctx+8')
f.note('the bound (vmctx+8) is 0x1000 elements')
f.run(call('table_addr_8', ['0']), '== 4')
f.run(call('table_addr_8', ['5']), '== 44')
f.run(call('table_addr_8', ['0xfff']), '== ' + fmt_int(0xfff * 8 + 4, 64))
f.run(call('table_addr_8', ['0x1000']), 'traps table_oob')
f.run(call('table_addr_8', ['-1']), 'traps table_oob')
f.func('''function %table_addr_12(i64 vmctx, i64) -> i64 {
    gv0 = vmctx
    gv1 = load.i64 notrap aligned gv0
    gv2 = load.i64 notrap aligned gv0+8
    table0 = dynamic gv1, min 0, bound gv2, element_size 12, index_type i64

block0(v0: i64, v1: i64):
    v2 = table_addr.i64 table0, v1, 0
    v3 = global_value.i64 gv1
    v4 = isub v2, v3
    return v4
}''')
for line in ['; not: table_addr.', '; check: icmp uge v1,', '; nextln: trapnz', '; sameln: table_oob', '; check: imul_imm v1, 12',
             '; check: v2 = iadd', '; not: table_addr.']:
    f.raw(line)
f.raw('; heap: static, size=0x1000, ptr=vmctx+0, bound=vmctx+8')
f.run(call('table_addr_12', ['3']), '== 36')
f.run(call('table_addr_12', ['0xfff']), '== ' + fmt_int(0xfff * 12, 64))
f.run(call('table_addr_12', ['0x1000']), 'traps table_oob')
f.run(call('table_addr_12', ['0x8000_0000_0000_0000']), 'traps table_oob')
total += f.write()

f = File('legalizer/unchanged.clif', tests=('legalizer',), intro='''
Functions with nothing at the sandbox level come out of the legalizer unchanged.''')
f.func('''function %arith(i32, i32) -> i32 {
block0(v0: i32, v1: i32):
    v2 = iadd v0, v1
    v3 = imul v2, v0
    brz v3, block1(v2)
    v4 = udiv v3, v1
    return v4

block1(v5: i32):
    return v5
}''')
for line in ['; check: block0(v0: i32, v1: i32):', '; nextln: v2 = iadd v0, v1', '; nextln: v3 = imul v2, v0',
             '; nextln: brz v3, block1(v2)', '; nextln: v4 = udiv v3, v1', '; nextln: return v4', '; check: block1(v5: i32):',
             '; nextln: return v5']:
    f.raw(line)
f.run(call('arith', ['3', '4']), '== 5')
f.run(call('arith', ['0', '4']), '== 4')
f.run(call('arith', ['3', '0']), 'traps int_divz')
f.func('''function %stack_memory(i64) -> i64 {
    ss0 = explicit_slot 8

block0(v0: i64):
    v1 = stack_addr.i64 ss0
    store notrap aligned v0, v1
    v2 = load.i64 notrap aligned v1
    return v2
}''')
for line in ['; check: v1 = stack_addr.i64 ss0', '; nextln: store notrap aligned v0, v1', '; nextln: v2 = load.i64 notrap aligned v1',
             '; nextln: return v2']:
    f.raw(line)
f.run(call('stack_memory', ['-5']), '== -5')
total += f.write()
print('legal total', total)

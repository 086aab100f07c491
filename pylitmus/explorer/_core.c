/* The C core of pylitmus's explorer.
 *
 * It interprets the execution stage of the compiled model (the same op codes as
 * pylitmus/model/opcodes.py, which program.py and evaluate.py use) on bit rows, and enumerates the
 * read-from and coherence choices of one frame with pruning; see docs/explorer.md.
 *
 * Values: a set is one row of W = ceil(n/64) words; a relation is n rows.
 *
 * Python API (wrapped by native.py, typed in _core.pyi):
 *   Program(ops, kinds, n_static, n_chosen, checks, flags)
 *       ops: sequence of (code, dest, a, b, src); src indexes the input list for
 *       INPUT ops (-1: rf, -2: co). ops are the static ops, then the chosen ops,
 *       then the dynamic ops. kinds: bytes, 0 = set, 1 = relation, per slot.
 *       checks: sequence of (kind, slot, monotone); flags: sequence of (kind, slot).
 *   Context(program, n, inputs)  converts the inputs (None for those filled in
 *       later) and runs the static ops.
 *   Context.slot(i)     a slot's value as evaluate.py represents it.
 *   Context.is_empty(i) is the slot's value empty?
 *   Context.explore(choice_inputs, reads, rf_choices, locations)
 *       sets the chosen inputs ((src, value) pairs), runs the chosen ops, then
 *       counts the consistent executions by what the caller needs of them:
 *       {(last writes, flag_mask): count}, last writes being the coherence-last
 *       write of each location, in the order of `locations`.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

typedef uint64_t word;

/* The op codes (OP_<NAME>, N_OPCODES, OPCODE_NAMES) and the kinds of check (CHECK_<KIND>,
 * N_CHECK_KINDS, CHECK_KIND_NAMES), written by setup.py from pylitmus/model/opcodes.py (the
 * module's OPCODES and CHECK_KINDS attributes show which it was built with). */
#include "_opcodes.h"
enum { SRC_RF = -1, SRC_CO = -2 };
enum { KIND_SET = 0, KIND_REL = 1 };
enum { DEP_RF = 1, DEP_CO = 2 };
/* Groups of dynamic ops: what the prunable checks need, what the other checks
 * need on top, what the flags need on top. */
enum { G_PRUNE, G_CHECK, G_FLAG, N_GROUPS };

/* A context's slots take at most this much memory (1 GiB). */
#define MAX_STORE_WORDS (((size_t)1 << 30) / sizeof(word))

#define BIT(i) ((word)1 << ((i) & 63))
#define WORD(i) ((i) >> 6)

typedef struct { int code, dest, a, b, src; } Op;
typedef struct { int kind, slot, prunable; } Test;

typedef struct {
    int *ops;   /* indices into Program.ops */
    int len;
} OpList;

/* ------------------------------------------------------------------------ */
/* Program                                                                  */

typedef struct {
    PyObject_HEAD
    int nslots, nops, n_static, n_chosen;
    Op *op;
    unsigned char *kind;     /* per slot */
    unsigned char *aliased;  /* per slot: value lives elsewhere (COPY, rf, co) */
    int *def;                /* per slot: index of its op, or -1 */
    Test *checks, *flags;
    int nchecks, nflags;
    OpList rf_ops[N_GROUPS], co_ops[N_GROUPS];
} Program;

static void program_dealloc(Program *p) {
    PyMem_Free(p->op);
    PyMem_Free(p->kind);
    PyMem_Free(p->aliased);
    PyMem_Free(p->def);
    PyMem_Free(p->checks);
    PyMem_Free(p->flags);
    for (int g = 0; g < N_GROUPS; g++) {
        PyMem_Free(p->rf_ops[g].ops);
        PyMem_Free(p->co_ops[g].ops);
    }
    Py_TYPE(p)->tp_free((PyObject *)p);
}

static int read_ints(PyObject *item, int *out, int count, const char *what) {
    PyObject *seq = PySequence_Fast(item, what);
    if (!seq)
        return -1;
    if (PySequence_Fast_GET_SIZE(seq) != count) {
        PyErr_Format(PyExc_ValueError, "%s: expected %d integers", what, count);
        Py_DECREF(seq);
        return -1;
    }
    for (int i = 0; i < count; i++) {
        long v = PyLong_AsLong(PySequence_Fast_GET_ITEM(seq, i));
        if (v == -1 && PyErr_Occurred()) {
            Py_DECREF(seq);
            return -1;
        }
        out[i] = (int)v;
    }
    Py_DECREF(seq);
    return 0;
}

static int read_tests(PyObject *obj, Test **out, int *count, int width) {
    PyObject *seq = PySequence_Fast(obj, "checks and flags are sequences");
    if (!seq)
        return -1;
    int len = (int)PySequence_Fast_GET_SIZE(seq);
    *out = PyMem_Calloc(len ? len : 1, sizeof(Test));
    *count = len;
    if (!*out) {
        Py_DECREF(seq);
        PyErr_NoMemory();
        return -1;
    }
    for (int i = 0; i < len; i++) {
        int v[3] = {0, 0, 0};
        if (read_ints(PySequence_Fast_GET_ITEM(seq, i), v, width, "a check") < 0) {
            Py_DECREF(seq);
            return -1;
        }
        if (v[0] < 0 || v[0] >= N_CHECK_KINDS) {
            Py_DECREF(seq);
            PyErr_Format(PyExc_ValueError, "unknown check kind %d", v[0]);
            return -1;
        }
        (*out)[i].kind = v[0];
        (*out)[i].slot = v[1];
        /* Only a check that fails for good when its slot grows can prune. */
        (*out)[i].prunable = width == 3 && v[2] && v[0] != CHECK_NONEMPTY;
    }
    Py_DECREF(seq);
    return 0;
}

/* Mark every slot that `slot` is computed from. */
static void mark_needed(Program *p, int slot, unsigned char *needed) {
    if (slot < 0 || needed[slot])
        return;
    needed[slot] = 1;
    int d = p->def[slot];
    if (d < 0)
        return;
    mark_needed(p, p->op[d].a, needed);
    mark_needed(p, p->op[d].b, needed);
}

/* Split the dynamic ops into groups (by which checks need them), each into the
 * ops that read rf only and those that read co. */
static int program_plan(Program *p) {
    int ns = p->nslots;
    unsigned char *dep = PyMem_Calloc(ns, 1);
    unsigned char *need[N_GROUPS];
    for (int g = 0; g < N_GROUPS; g++)
        need[g] = PyMem_Calloc(ns, 1);
    int ok = dep && need[0] && need[1] && need[2];
    for (int g = 0; ok && g < N_GROUPS; g++) {
        p->rf_ops[g].ops = PyMem_Calloc(p->nops + 1, sizeof(int));
        p->co_ops[g].ops = PyMem_Calloc(p->nops + 1, sizeof(int));
        ok = p->rf_ops[g].ops && p->co_ops[g].ops;
    }
    if (ok) {
        for (int i = 0; i < p->nops; i++) {
            Op *o = &p->op[i];
            unsigned char d = 0;
            if (o->code == OP_INPUT)
                d = o->src == SRC_RF ? DEP_RF : o->src == SRC_CO ? DEP_CO : 0;
            else
                d = (o->a >= 0 ? dep[o->a] : 0) | (o->b >= 0 ? dep[o->b] : 0);
            dep[o->dest] = d;
        }
        for (int i = 0; i < p->nchecks; i++)
            mark_needed(p, p->checks[i].slot, need[p->checks[i].prunable ? G_PRUNE : G_CHECK]);
        for (int i = 0; i < p->nflags; i++)
            mark_needed(p, p->flags[i].slot, need[G_FLAG]);
        for (int i = p->n_static + p->n_chosen; i < p->nops; i++) {
            int s = p->op[i].dest;
            if (!dep[s])
                continue;
            int g = need[G_PRUNE][s] ? G_PRUNE : need[G_CHECK][s] ? G_CHECK
                  : need[G_FLAG][s] ? G_FLAG : -1;
            if (g < 0)
                continue;  /* nothing reads it */
            OpList *l = dep[s] & DEP_CO ? &p->co_ops[g] : &p->rf_ops[g];
            l->ops[l->len++] = i;
        }
    }
    PyMem_Free(dep);
    for (int g = 0; g < N_GROUPS; g++)
        PyMem_Free(need[g]);
    if (!ok)
        PyErr_NoMemory();
    return ok ? 0 : -1;
}

static int check_slot(Program *p, int slot, const char *what) {
    if (slot < 0 || slot >= p->nslots) {
        PyErr_Format(PyExc_ValueError, "%s: slot %d out of range", what, slot);
        return -1;
    }
    return 0;
}

static PyObject *program_new(PyTypeObject *type, PyObject *args, PyObject *kw) {
    static char *kwlist[] = {"ops", "kinds", "n_static", "n_chosen", "checks", "flags", NULL};
    PyObject *ops, *checks, *flags;
    Py_buffer kinds;
    int n_static, n_chosen;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "Oy*iiOO", kwlist, &ops, &kinds, &n_static,
                                     &n_chosen, &checks, &flags))
        return NULL;
    Program *p = (Program *)type->tp_alloc(type, 0);
    PyObject *seq = NULL;
    if (!p)
        goto fail;
    p->nslots = (int)kinds.len;
    p->kind = PyMem_Malloc(p->nslots + 1);
    p->aliased = PyMem_Calloc(p->nslots + 1, 1);
    p->def = PyMem_Malloc((p->nslots + 1) * sizeof(int));
    if (!p->kind || !p->aliased || !p->def) {
        PyErr_NoMemory();
        goto fail;
    }
    memcpy(p->kind, kinds.buf, p->nslots);
    for (int i = 0; i < p->nslots; i++)
        p->def[i] = -1;
    seq = PySequence_Fast(ops, "ops must be a sequence");
    if (!seq)
        goto fail;
    p->nops = (int)PySequence_Fast_GET_SIZE(seq);
    p->n_static = n_static;
    p->n_chosen = n_chosen;
    if (n_static < 0 || n_chosen < 0 || n_static + n_chosen > p->nops) {
        PyErr_SetString(PyExc_ValueError, "bad op counts");
        goto fail;
    }
    p->op = PyMem_Calloc(p->nops + 1, sizeof(Op));
    if (!p->op) {
        PyErr_NoMemory();
        goto fail;
    }
    for (int i = 0; i < p->nops; i++) {
        int v[5];
        if (read_ints(PySequence_Fast_GET_ITEM(seq, i), v, 5, "an op") < 0)
            goto fail;
        Op *o = &p->op[i];
        o->code = v[0], o->dest = v[1], o->a = v[2], o->b = v[3], o->src = v[4];
        if (o->code < 0 || o->code >= N_OPCODES) {
            PyErr_Format(PyExc_ValueError, "unknown op code %d", o->code);
            goto fail;
        }
        if (check_slot(p, o->dest, "op dest") < 0 || p->def[o->dest] >= 0)
            goto fail_dest;
        if (o->code != OP_INPUT && o->code != OP_EMPTY) {
            if (check_slot(p, o->a, "op operand") < 0 || p->def[o->a] < 0)
                goto fail_operand;
            int binary = o->code == OP_UNION || o->code == OP_INTER || o->code == OP_DIFF
                         || o->code == OP_SEQ || o->code == OP_CROSS;
            if (binary && (check_slot(p, o->b, "op operand") < 0 || p->def[o->b] < 0))
                goto fail_operand;
            if (!binary)
                o->b = -1;
        } else {
            o->a = o->b = -1;
        }
        if (o->code == OP_INPUT && o->src < SRC_CO) {
            PyErr_SetString(PyExc_ValueError, "bad input index");
            goto fail;
        }
        p->aliased[o->dest] = o->code == OP_COPY || (o->code == OP_INPUT && o->src < 0);
        p->def[o->dest] = i;
    }
    Py_CLEAR(seq);
    if (read_tests(checks, &p->checks, &p->nchecks, 3) < 0
        || read_tests(flags, &p->flags, &p->nflags, 2) < 0)
        goto fail;
    for (int i = 0; i < p->nchecks; i++)
        if (check_slot(p, p->checks[i].slot, "check") < 0)
            goto fail;
    for (int i = 0; i < p->nflags; i++)
        if (check_slot(p, p->flags[i].slot, "flag") < 0)
            goto fail;
    if (p->nflags > 62) {
        PyErr_SetString(PyExc_ValueError, "too many flags");
        goto fail;
    }
    if (program_plan(p) < 0)
        goto fail;
    PyBuffer_Release(&kinds);
    return (PyObject *)p;
fail_dest:
    if (!PyErr_Occurred())
        PyErr_SetString(PyExc_ValueError, "a slot is defined twice");
    goto fail;
fail_operand:
    if (!PyErr_Occurred())
        PyErr_SetString(PyExc_ValueError, "an op reads a slot not yet defined");
fail:
    Py_XDECREF(seq);
    Py_XDECREF(p);
    PyBuffer_Release(&kinds);
    return NULL;
}

static PyTypeObject ProgramType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "pylitmus.explorer._core.Program",
    .tp_basicsize = sizeof(Program),
    .tp_dealloc = (destructor)program_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The execution stage of a compiled model, ready for the C core.",
    .tp_new = program_new,
};

/* ------------------------------------------------------------------------ */
/* Conversions between Python ints and rows of words                        */

static int int_to_row(PyObject *v, word *row, int W, int n) {
    if (!PyLong_Check(v)) {
        PyErr_SetString(PyExc_TypeError, "a set or row must be an int");
        return -1;
    }
    if (W == 1) {
        row[0] = PyLong_AsUnsignedLongLong(v);
        if (row[0] == (word)-1 && PyErr_Occurred())
            return -1;
    } else {
        unsigned char buf[8 * 64];
        unsigned char *bytes = W <= 64 ? buf : PyMem_Malloc(8 * (size_t)W);
        if (!bytes) {
            PyErr_NoMemory();
            return -1;
        }
#if PY_VERSION_HEX >= 0x030D0000
        Py_ssize_t got = PyLong_AsNativeBytes(v, bytes, 8 * (Py_ssize_t)W,
                                              Py_ASNATIVEBYTES_LITTLE_ENDIAN
                                              | Py_ASNATIVEBYTES_UNSIGNED_BUFFER
                                              | Py_ASNATIVEBYTES_REJECT_NEGATIVE);
        int bad = got < 0 || got > 8 * (Py_ssize_t)W;
        if (got > 8 * (Py_ssize_t)W)
            PyErr_SetString(PyExc_OverflowError, "a row has bits beyond the events");
#else
        int bad = _PyLong_AsByteArray((PyLongObject *)v, bytes, 8 * (size_t)W, 1, 0) < 0;
#endif
        if (!bad)
            for (int k = 0; k < W; k++) {
                word x = 0;
                for (int b = 7; b >= 0; b--)
                    x = x << 8 | bytes[8 * k + b];
                row[k] = x;
            }
        if (bytes != buf)
            PyMem_Free(bytes);
        if (bad)
            return -1;
    }
    if (n % 64 && row[W - 1] >> (n % 64)) {
        PyErr_SetString(PyExc_ValueError, "a row has bits beyond the events");
        return -1;
    }
    return 0;
}

static PyObject *row_to_int(const word *row, int W) {
    if (W == 1)
        return PyLong_FromUnsignedLongLong(row[0]);
    int top = W;
    while (top > 1 && !row[top - 1])
        top--;
    if (top == 1)
        return PyLong_FromUnsignedLongLong(row[0]);
    unsigned char buf[8 * 64] = {0};
    unsigned char *bytes = top <= 64 ? buf : PyMem_Malloc(8 * (size_t)top);
    if (!bytes)
        return PyErr_NoMemory();
    for (int k = 0; k < top; k++)
        for (int b = 0; b < 8; b++)
            bytes[8 * k + b] = (unsigned char)(row[k] >> (8 * b));
#if PY_VERSION_HEX >= 0x030D0000
    PyObject *out = PyLong_FromUnsignedNativeBytes(bytes, 8 * (size_t)top,
                                                   Py_ASNATIVEBYTES_LITTLE_ENDIAN);
#else
    PyObject *out = _PyLong_FromByteArray(bytes, 8 * (size_t)top, 1, 0);
#endif
    if (bytes != buf)
        PyMem_Free(bytes);
    return out;
}

static PyObject *value_to_py(const word *v, int kind, int n, int W) {
    if (kind == KIND_SET)
        return row_to_int(v, W);
    PyObject *list = PyList_New(n);
    if (!list)
        return NULL;
    for (int i = 0; i < n; i++) {
        PyObject *x = row_to_int(v + (size_t)i * W, W);
        if (!x) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, i, x);
    }
    return list;
}

static int value_from_py(PyObject *obj, word *v, int kind, int n, int W) {
    if (kind == KIND_SET)
        return int_to_row(obj, v, W, n);
    PyObject *seq = PySequence_Fast(obj, "a relation must be a list of rows");
    if (!seq)
        return -1;
    if (PySequence_Fast_GET_SIZE(seq) != n) {
        PyErr_Format(PyExc_ValueError, "a relation must have %d rows", n);
        Py_DECREF(seq);
        return -1;
    }
    for (int i = 0; i < n; i++)
        if (int_to_row(PySequence_Fast_GET_ITEM(seq, i), v + (size_t)i * W, W, n) < 0) {
            Py_DECREF(seq);
            return -1;
        }
    Py_DECREF(seq);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The op evaluator                                                         */

typedef struct {
    int n, W;
    word full_last;  /* mask of the valid bits of a row's last word */
} Dims;

static inline size_t value_words(int kind, const Dims *d) {
    return kind == KIND_REL ? (size_t)d->n * d->W : (size_t)d->W;
}

static void op_seq(word *out, const word *a, const word *b, const Dims *d) {
    int n = d->n, W = d->W;
    if (W == 1) {
        for (int i = 0; i < n; i++) {
            word acc = 0, r = a[i];
            while (r) {
                acc |= b[__builtin_ctzll(r)];
                r &= r - 1;
            }
            out[i] = acc;
        }
        return;
    }
    for (int i = 0; i < n; i++) {
        word *o = out + (size_t)i * W;
        memset(o, 0, W * sizeof(word));
        for (int k = 0; k < W; k++) {
            word r = a[(size_t)i * W + k];
            while (r) {
                const word *bj = b + (size_t)(64 * k + __builtin_ctzll(r)) * W;
                for (int m = 0; m < W; m++)
                    o[m] |= bj[m];
                r &= r - 1;
            }
        }
    }
}

static void op_inverse(word *out, const word *a, const Dims *d) {
    int n = d->n, W = d->W;
    memset(out, 0, (size_t)n * W * sizeof(word));
    for (int i = 0; i < n; i++)
        for (int k = 0; k < W; k++) {
            word r = a[(size_t)i * W + k];
            while (r) {
                int j = 64 * k + __builtin_ctzll(r);
                out[(size_t)j * W + WORD(i)] |= BIT(i);
                r &= r - 1;
            }
        }
}

/* Transitive closure: Warshall on bit rows. */
static void op_plus(word *out, const word *a, const Dims *d) {
    int n = d->n, W = d->W;
    memcpy(out, a, (size_t)n * W * sizeof(word));
    for (int k = 0; k < n; k++) {
        const word *rk = out + (size_t)k * W;
        int nonzero = 0;
        for (int m = 0; m < W; m++)
            nonzero |= rk[m] != 0;
        if (!nonzero)
            continue;
        for (int i = 0; i < n; i++) {
            word *ri = out + (size_t)i * W;
            if (ri[WORD(k)] & BIT(k))
                for (int m = 0; m < W; m++)
                    ri[m] |= rk[m];
        }
    }
}

static void run_op(const Program *p, const Op *o, word **slot, const Dims *d) {
    int n = d->n, W = d->W;
    int kind = p->kind[o->dest];
    size_t len = value_words(kind, d);
    word *out = slot[o->dest];
    const word *a = o->a >= 0 ? slot[o->a] : NULL;
    const word *b = o->b >= 0 ? slot[o->b] : NULL;
    switch (o->code) {
    case OP_INPUT:
    case OP_COPY:
        break;  /* aliased or filled in when the input is set */
    case OP_EMPTY:
        memset(out, 0, len * sizeof(word));
        break;
    case OP_UNION:
        for (size_t k = 0; k < len; k++)
            out[k] = a[k] | b[k];
        break;
    case OP_INTER:
        for (size_t k = 0; k < len; k++)
            out[k] = a[k] & b[k];
        break;
    case OP_DIFF:
        for (size_t k = 0; k < len; k++)
            out[k] = a[k] & ~b[k];
        break;
    case OP_SEQ:
        op_seq(out, a, b, d);
        break;
    case OP_INVERSE:
        op_inverse(out, a, d);
        break;
    case OP_PLUS:
        op_plus(out, a, d);
        break;
    case OP_OPT:
        memcpy(out, a, len * sizeof(word));
        for (int i = 0; i < n; i++)
            out[(size_t)i * W + WORD(i)] |= BIT(i);
        break;
    case OP_IDENTITY:
        memset(out, 0, len * sizeof(word));
        for (int i = 0; i < n; i++)
            if (a[WORD(i)] & BIT(i))
                out[(size_t)i * W + WORD(i)] = BIT(i);
        break;
    case OP_CROSS:
        for (int i = 0; i < n; i++) {
            word *o_i = out + (size_t)i * W;
            if (a[WORD(i)] & BIT(i))
                memcpy(o_i, b, W * sizeof(word));
            else
                memset(o_i, 0, W * sizeof(word));
        }
        break;
    case OP_COMPLEMENT:
        for (size_t k = 0; k < len; k++)
            out[k] = ~a[k];
        for (size_t r = W - 1; r < len; r += W)
            out[r] &= d->full_last;
        break;
    case OP_DOMAIN:
        memset(out, 0, W * sizeof(word));
        for (int i = 0; i < n; i++) {
            const word *ai = a + (size_t)i * W;
            for (int m = 0; m < W; m++)
                if (ai[m]) {
                    out[WORD(i)] |= BIT(i);
                    break;
                }
        }
        break;
    case OP_RANGE:
        memset(out, 0, W * sizeof(word));
        for (int i = 0; i < n; i++)
            for (int m = 0; m < W; m++)
                out[m] |= a[(size_t)i * W + m];
        break;
    }
}

/* ------------------------------------------------------------------------ */
/* Checks                                                                   */

static int is_empty(const word *v, size_t len) {
    for (size_t k = 0; k < len; k++)
        if (v[k])
            return 0;
    return 1;
}

/* Depth-first search for a cycle; `white` and `grey` are scratch rows and
 * `stack` has room for n events. Linear in n times the row width per edge
 * followed, no closure. */
static int is_acyclic(const word *rel, const Dims *d, word *white, word *grey, int *stack) {
    int n = d->n, W = d->W;
    /* Only events with a successor can be on a cycle. */
    memset(grey, 0, W * sizeof(word));
    memset(white, 0, W * sizeof(word));
    int any = 0;
    for (int i = 0; i < n; i++)
        if (!is_empty(rel + (size_t)i * W, W)) {
            white[WORD(i)] |= BIT(i);
            any = 1;
        }
    if (!any)
        return 1;
    for (int k = 0; k < W; k++) {
        while (white[k]) {
            int root = 64 * k + __builtin_ctzll(white[k]);
            int top = 0;
            stack[top++] = root;
            white[WORD(root)] &= ~BIT(root);
            grey[WORD(root)] |= BIT(root);
            while (top) {
                int v = stack[top - 1];
                const word *row = rel + (size_t)v * W;
                int next = -1;
                for (int m = 0; m < W; m++) {
                    if (row[m] & grey[m])
                        return 0;  /* an edge back onto the path */
                    if (next < 0 && (row[m] & white[m]))
                        next = 64 * m + __builtin_ctzll(row[m] & white[m]);
                }
                if (next >= 0) {
                    white[WORD(next)] &= ~BIT(next);
                    grey[WORD(next)] |= BIT(next);
                    stack[top++] = next;
                } else {
                    grey[WORD(v)] &= ~BIT(v);
                    top--;
                }
            }
        }
    }
    return 1;
}

/* ------------------------------------------------------------------------ */
/* Context: one frame                                                       */

typedef struct {
    PyObject_HEAD
    Program *prog;
    Dims d;
    word **slot;
    word *store;      /* owned slot values */
    word *rf, *co;    /* the candidate's rf and co */
    word *white, *grey;
    int *stack;
    /* The search (valid during explore). */
    long rf_stamp, group_stamp[N_GROUPS];
} Context;

static void context_dealloc(Context *c) {
    PyMem_Free(c->slot);
    PyMem_Free(c->store);
    PyMem_Free(c->stack);
    Py_XDECREF(c->prog);
    Py_TYPE(c)->tp_free((PyObject *)c);
}

static int set_input(Context *c, int src, PyObject *value) {
    Program *p = c->prog;
    int found = 0;
    for (int i = 0; i < p->nops; i++) {
        Op *o = &p->op[i];
        if (o->code == OP_INPUT && o->src == src) {
            if (value_from_py(value, c->slot[o->dest], p->kind[o->dest], c->d.n, c->d.W) < 0)
                return -1;
            found = 1;
        }
    }
    if (!found) {
        PyErr_Format(PyExc_ValueError, "no input %d", src);
        return -1;
    }
    return 0;
}

static void run_range(Context *c, int from, int to) {
    for (int i = from; i < to; i++)
        run_op(c->prog, &c->prog->op[i], c->slot, &c->d);
}

static PyObject *context_new(PyTypeObject *type, PyObject *args, PyObject *kw) {
    static char *kwlist[] = {"program", "n", "inputs", NULL};
    Program *prog;
    int n;
    PyObject *inputs;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O!iO", kwlist, &ProgramType, &prog, &n, &inputs))
        return NULL;
    if (n < 0 || n > (1 << 16)) {
        PyErr_SetString(PyExc_ValueError, "bad number of events");
        return NULL;
    }
    Context *c = (Context *)type->tp_alloc(type, 0);
    if (!c)
        return NULL;
    Py_INCREF(prog);
    c->prog = prog;
    c->d.n = n;
    c->d.W = n ? (n + 63) / 64 : 1;
    c->d.full_last = !n ? 0 : n % 64 ? BIT(n) - 1 : ~(word)0;
    int W = c->d.W;
    size_t rel = (size_t)(n ? n : 1) * W;
    size_t total = 2 * rel + 2 * (size_t)W;
    for (int s = 0; s < prog->nslots; s++)
        if (!prog->aliased[s])
            total += value_words(prog->kind[s], &c->d);
    if (total > MAX_STORE_WORDS) {
        /* Calloc would succeed lazily and the machine swap as the ops touch it. */
        Py_DECREF(c);
        PyErr_Format(PyExc_MemoryError, "%d events need more than %zu MiB of slots", n,
                     MAX_STORE_WORDS * sizeof(word) >> 20);
        return NULL;
    }
    c->store = PyMem_Calloc(total, sizeof(word));
    c->slot = PyMem_Calloc(prog->nslots + 1, sizeof(word *));
    c->stack = PyMem_Calloc(n + 1, sizeof(int));
    if (!c->store || !c->slot || !c->stack) {
        Py_DECREF(c);
        return PyErr_NoMemory();
    }
    word *next = c->store;
    c->rf = next, next += rel;
    c->co = next, next += rel;
    c->white = next, next += W;
    c->grey = next, next += W;
    for (int s = 0; s < prog->nslots; s++)
        if (!prog->aliased[s]) {
            c->slot[s] = next;
            next += value_words(prog->kind[s], &c->d);
        }
    /* Aliases, in op order so that a copy of a copy resolves. */
    for (int i = 0; i < prog->nops; i++) {
        Op *o = &prog->op[i];
        if (o->code == OP_COPY)
            c->slot[o->dest] = c->slot[o->a];
        else if (o->code == OP_INPUT && o->src == SRC_RF)
            c->slot[o->dest] = c->rf;
        else if (o->code == OP_INPUT && o->src == SRC_CO)
            c->slot[o->dest] = c->co;
    }
    PyObject *seq = PySequence_Fast(inputs, "inputs must be a sequence");
    if (!seq) {
        Py_DECREF(c);
        return NULL;
    }
    Py_ssize_t given = PySequence_Fast_GET_SIZE(seq);
    for (int i = 0; i < prog->n_static; i++) {
        Op *o = &prog->op[i];
        if (o->code == OP_INPUT) {
            if (o->src < 0) {
                PyErr_SetString(PyExc_ValueError, "rf or co among the static ops");
                goto fail;
            }
            PyObject *v = o->src < given ? PySequence_Fast_GET_ITEM(seq, o->src) : Py_None;
            if (v == Py_None) {
                PyErr_Format(PyExc_ValueError, "static input %d missing", o->src);
                goto fail;
            }
            if (value_from_py(v, c->slot[o->dest], prog->kind[o->dest], n, W) < 0)
                goto fail;
        }
    }
    /* Inputs of the other ops given now (a caller may pass everything at once). */
    for (int i = prog->n_static; i < prog->nops; i++) {
        Op *o = &prog->op[i];
        if (o->code == OP_INPUT && o->src >= 0 && o->src < given) {
            PyObject *v = PySequence_Fast_GET_ITEM(seq, o->src);
            if (v != Py_None
                && value_from_py(v, c->slot[o->dest], prog->kind[o->dest], n, W) < 0)
                goto fail;
        }
    }
    Py_DECREF(seq);
    run_range(c, 0, prog->n_static);
    return (PyObject *)c;
fail:
    Py_DECREF(seq);
    Py_DECREF(c);
    return NULL;
}

static int slot_arg(Context *c, PyObject *arg) {
    long s = PyLong_AsLong(arg);
    if (s == -1 && PyErr_Occurred())
        return -1;
    if (s < 0 || s >= c->prog->nslots || !c->slot[s]) {
        PyErr_SetString(PyExc_IndexError, "no such slot");
        return -1;
    }
    return (int)s;
}

static PyObject *context_slot(Context *c, PyObject *arg) {
    int s = slot_arg(c, arg);
    if (s < 0)
        return NULL;
    return value_to_py(c->slot[s], c->prog->kind[s], c->d.n, c->d.W);
}

static PyObject *context_is_empty(Context *c, PyObject *arg) {
    int s = slot_arg(c, arg);
    if (s < 0)
        return NULL;
    return PyBool_FromLong(is_empty(c->slot[s], value_words(c->prog->kind[s], &c->d)));
}

/* ---- the search -------------------------------------------------------- */

typedef struct {
    int first, count;  /* the location's writes: writes[first .. first+count) */
    int index;         /* its place in the caller's list */
} Loc;

typedef struct {
    Context *c;
    int nreads;
    int *read_ev;       /* event of each read */
    int *choice_first;  /* read r's candidates: choices[choice_first[r] ..] */
    int *choice_count;
    int *choices;       /* write events */
    int *picked;        /* index into choices of each read's source */
    int nlocs;
    Loc *locs;
    int *writes;        /* per location, initial write first */
    int *order;         /* per location, the coherence order built so far */
    int ndecisions;
    int *dec_loc, *dec_k;  /* co decision: insert writes[first+k] of location */
    PyObject **write_obj;  /* event number -> the caller's int object */
    PyObject *out;         /* {(last writes, flag mask): count} */
    PyObject *one;
    int failed;         /* a Python error is set */
} Search;

static int tests_hold(Context *c, const Test *tests, int count, int which) {
    /* which: 1 = prunable checks, 0 = the others */
    Program *p = c->prog;
    for (int i = 0; i < count; i++) {
        const Test *t = &tests[i];
        if (t->prunable != which)
            continue;
        const word *v = c->slot[t->slot];
        int ok;
        switch (t->kind) {
        case CHECK_ACYCLIC:
            ok = is_acyclic(v, &c->d, c->white, c->grey, c->stack);
            break;
        case CHECK_IRREFLEXIVE:
            ok = 1;
            for (int e = 0; e < c->d.n && ok; e++)
                ok = !(v[(size_t)e * c->d.W + WORD(e)] & BIT(e));
            break;
        case CHECK_EMPTY:
            ok = is_empty(v, value_words(p->kind[t->slot], &c->d));
            break;
        default:
            ok = !is_empty(v, value_words(p->kind[t->slot], &c->d));
            break;
        }
        if (!ok)
            return 0;
    }
    return 1;
}

static void run_group(Context *c, int g) {
    Program *p = c->prog;
    if (c->group_stamp[g] != c->rf_stamp) {
        for (int i = 0; i < p->rf_ops[g].len; i++)
            run_op(p, &p->op[p->rf_ops[g].ops[i]], c->slot, &c->d);
        c->group_stamp[g] = c->rf_stamp;
    }
    for (int i = 0; i < p->co_ops[g].len; i++)
        run_op(p, &p->op[p->co_ops[g].ops[i]], c->slot, &c->d);
}

/* Can the current partial candidate still be completed into a consistent one? */
static int may_hold(Search *s) {
    run_group(s->c, G_PRUNE);
    return tests_hold(s->c, s->c->prog->checks, s->c->prog->nchecks, 1);
}

static void record(Search *s) {
    Context *c = s->c;
    Program *p = c->prog;
    run_group(c, G_PRUNE);
    if (!tests_hold(c, p->checks, p->nchecks, 1))
        return;
    run_group(c, G_CHECK);
    if (!tests_hold(c, p->checks, p->nchecks, 0))
        return;
    run_group(c, G_FLAG);
    long long mask = 0;
    for (int i = 0; i < p->nflags; i++) {
        const Test *t = &p->flags[i];
        Test one = *t;
        one.prunable = 0;
        if (tests_hold(c, &one, 1, 0))
            mask |= 1LL << i;
    }
    PyObject *lasts = PyTuple_New(s->nlocs);
    PyObject *flags = PyLong_FromLongLong(mask);
    PyObject *key = NULL, *count = NULL;
    if (lasts && flags) {
        for (int l = 0; l < s->nlocs; l++) {
            const Loc *loc = &s->locs[l];
            PyObject *w = s->write_obj[s->order[loc->first + loc->count - 1]];
            Py_INCREF(w);
            PyTuple_SET_ITEM(lasts, loc->index, w);
        }
        key = PyTuple_Pack(2, lasts, flags);
    }
    if (key) {
        PyObject *old = PyDict_GetItemWithError(s->out, key);
        if (old || !PyErr_Occurred())
            count = old ? PyNumber_Add(old, s->one) : (Py_INCREF(s->one), s->one);
    }
    if (!count || PyDict_SetItem(s->out, key, count) < 0)
        s->failed = 1;
    Py_XDECREF(lasts);
    Py_XDECREF(flags);
    Py_XDECREF(key);
    Py_XDECREF(count);
}

static void search(Search *s, int dec) {
    Context *c = s->c;
    int W = c->d.W;
    if (s->failed)
        return;
    if (dec == s->ndecisions) {
        record(s);
        return;
    }
    if (dec < s->nreads) {
        int r = dec, count = s->choice_count[r];
        /* Prune before branching (a lone choice is checked with its child). */
        if (count > 1 && !may_hold(s))
            return;
        int ev = s->read_ev[r];
        for (int k = 0; k < count; k++) {
            int w = s->choices[s->choice_first[r] + k];
            s->picked[r] = k;
            c->rf[(size_t)w * W + WORD(ev)] |= BIT(ev);
            c->rf_stamp++;
            search(s, dec + 1);
            c->rf[(size_t)w * W + WORD(ev)] &= ~BIT(ev);
            c->rf_stamp++;
        }
        return;
    }
    /* Insert write k of a location (k >= 1) into its order of k writes, after
     * the initial write: k places. */
    Loc *l = &s->locs[s->dec_loc[dec - s->nreads]];
    int k = s->dec_k[dec - s->nreads];
    int w = s->writes[l->first + k];
    int *ord = s->order + l->first;
    word *cow = c->co + (size_t)w * W;
    if (k > 1 && !may_hold(s))
        return;
    for (int pos = 1; pos <= k; pos++) {
        /* ord[0..k) holds the order so far; put w at pos. */
        memmove(ord + pos + 1, ord + pos, (k - pos) * sizeof(int));
        ord[pos] = w;
        for (int i = 1; i < pos; i++)
            c->co[(size_t)ord[i] * W + WORD(w)] |= BIT(w);
        for (int i = pos + 1; i <= k; i++)
            cow[WORD(ord[i])] |= BIT(ord[i]);
        search(s, dec + 1);
        for (int i = 1; i < pos; i++)
            c->co[(size_t)ord[i] * W + WORD(w)] &= ~BIT(w);
        memset(cow, 0, W * sizeof(word));
        memmove(ord + pos, ord + pos + 1, (k - pos) * sizeof(int));
        if (s->failed)
            return;
    }
}

static int int_item(PyObject *seq, Py_ssize_t i, int n, int *out) {
    long v = PyLong_AsLong(PySequence_Fast_GET_ITEM(seq, i));
    if (v == -1 && PyErr_Occurred())
        return -1;
    if (v < 0 || v >= n) {
        PyErr_SetString(PyExc_ValueError, "event number out of range");
        return -1;
    }
    *out = (int)v;
    return 0;
}

static int loc_order(const void *x, const void *y) {
    const Loc *a = x, *b = y;
    /* Fewest writes first: the locations with most choices branch last. */
    return a->count != b->count ? a->count - b->count : a->first - b->first;
}

static PyObject *context_explore(Context *c, PyObject *args) {
    PyObject *choice_inputs, *reads, *rf_choices, *locations;
    if (!PyArg_ParseTuple(args, "OOOO", &choice_inputs, &reads, &rf_choices, &locations))
        return NULL;
    Program *p = c->prog;
    int n = c->d.n, W = c->d.W;
    Search s;
    memset(&s, 0, sizeof s);
    s.c = c;
    PyObject *ci = NULL, *rs = NULL, *rc = NULL, *ls = NULL;
    PyObject **rows = NULL;  /* rf choice lists, as fast sequences */
    void *mem = NULL;

    /* The chosen inputs, then the chosen ops. */
    ci = PySequence_Fast(choice_inputs, "choice inputs must be a sequence");
    if (!ci)
        goto done;
    for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(ci); i++) {
        PyObject *pair = PySequence_Fast_GET_ITEM(ci, i);
        int src;
        PyObject *value;
        if (!PyArg_ParseTuple(pair, "iO", &src, &value) || set_input(c, src, value) < 0)
            goto done;
    }
    run_range(c, p->n_static, p->n_static + p->n_chosen);

    rs = PySequence_Fast(reads, "reads must be a sequence");
    rc = PySequence_Fast(rf_choices, "rf choices must be a sequence");
    ls = PySequence_Fast(locations, "locations must be a sequence");
    if (!rs || !rc || !ls)
        goto done;
    s.nreads = (int)PySequence_Fast_GET_SIZE(rs);
    s.nlocs = (int)PySequence_Fast_GET_SIZE(ls);
    if (PySequence_Fast_GET_SIZE(rc) != s.nreads) {
        PyErr_SetString(PyExc_ValueError, "one list of rf choices per read");
        goto done;
    }
    rows = PyMem_Calloc(s.nreads + s.nlocs + 1, sizeof(PyObject *));
    if (!rows) {
        PyErr_NoMemory();
        goto done;
    }
    int nchoices = 0, nwrites = 0;
    for (int r = 0; r < s.nreads; r++) {
        rows[r] = PySequence_Fast(PySequence_Fast_GET_ITEM(rc, r), "rf choices are sequences");
        if (!rows[r])
            goto done;
        nchoices += (int)PySequence_Fast_GET_SIZE(rows[r]);
    }
    for (int l = 0; l < s.nlocs; l++) {
        rows[s.nreads + l] = PySequence_Fast(PySequence_Fast_GET_ITEM(ls, l),
                                             "a location's writes are a sequence");
        if (!rows[s.nreads + l])
            goto done;
        nwrites += (int)PySequence_Fast_GET_SIZE(rows[s.nreads + l]);
    }
    size_t ints = 4 * (size_t)s.nreads + (size_t)nchoices + 4 * (size_t)nwrites + 4;
    mem = PyMem_Calloc(1, ints * sizeof(int) + (size_t)(n + 1) * sizeof(PyObject *)
                          + (size_t)(s.nlocs + 1) * sizeof(Loc));
    if (!mem) {
        PyErr_NoMemory();
        goto done;
    }
    s.write_obj = (PyObject **)mem;  /* the pointers first, where they are aligned */
    s.locs = (Loc *)(s.write_obj + n + 1);
    int *next = (int *)(s.locs + s.nlocs + 1);
    s.read_ev = next, next += s.nreads;
    s.choice_first = next, next += s.nreads;
    s.choice_count = next, next += s.nreads;
    s.picked = next, next += s.nreads;
    s.choices = next, next += nchoices;
    s.writes = next, next += nwrites;
    s.order = next, next += nwrites;
    s.dec_loc = next, next += nwrites;
    s.dec_k = next, next += nwrites;

    int any_empty = 0;
    for (int r = 0, at = 0; r < s.nreads; r++) {
        if (int_item(rs, r, n, &s.read_ev[r]) < 0)
            goto done;
        s.choice_first[r] = at;
        s.choice_count[r] = (int)PySequence_Fast_GET_SIZE(rows[r]);
        any_empty |= s.choice_count[r] == 0;
        for (int k = 0; k < s.choice_count[r]; k++, at++) {
            if (int_item(rows[r], k, n, &s.choices[at]) < 0)
                goto done;
        }
    }
    s.out = PyDict_New();
    s.one = PyLong_FromLong(1);
    if (!s.out || !s.one || any_empty)
        goto done;  /* a read with nothing to read from: no execution */

    for (int l = 0, at = 0; l < s.nlocs; l++) {
        PyObject *ws = rows[s.nreads + l];
        s.locs[l].first = at;
        s.locs[l].count = (int)PySequence_Fast_GET_SIZE(ws);
        s.locs[l].index = l;
        if (!s.locs[l].count) {
            PyErr_SetString(PyExc_ValueError, "a location without writes");
            goto done;
        }
        for (int k = 0; k < s.locs[l].count; k++, at++) {
            if (int_item(ws, k, n, &s.writes[at]) < 0)
                goto done;
            s.write_obj[s.writes[at]] = PySequence_Fast_GET_ITEM(ws, k);
        }
    }
    qsort(s.locs, s.nlocs, sizeof(Loc), loc_order);

    /* The candidate starts with no rf and, per location, the initial write
     * before every other write (true of every coherence order). */
    memset(c->rf, 0, (size_t)n * W * sizeof(word));
    memset(c->co, 0, (size_t)n * W * sizeof(word));
    s.ndecisions = s.nreads;
    for (int l = 0; l < s.nlocs; l++) {
        Loc *loc = &s.locs[l];
        int init = s.writes[loc->first];
        s.order[loc->first] = init;
        for (int k = 1; k < loc->count; k++) {
            int w = s.writes[loc->first + k];
            c->co[(size_t)init * W + WORD(w)] |= BIT(w);
            s.dec_loc[s.ndecisions - s.nreads] = l;
            s.dec_k[s.ndecisions - s.nreads] = k;
            s.ndecisions++;
        }
    }
    c->rf_stamp++;
    search(&s, 0);

done:
    Py_XDECREF(ci);
    Py_XDECREF(rs);
    Py_XDECREF(rc);
    Py_XDECREF(ls);
    if (rows) {
        for (int i = 0; i < s.nreads + s.nlocs; i++)
            Py_XDECREF(rows[i]);
        PyMem_Free(rows);
    }
    PyMem_Free(mem);
    Py_XDECREF(s.one);
    if (PyErr_Occurred() || s.failed) {
        Py_XDECREF(s.out);
        return NULL;
    }
    return s.out;
}

static PyMethodDef context_methods[] = {
    {"slot", (PyCFunction)context_slot, METH_O, "A slot's value (int set or list of rows)."},
    {"is_empty", (PyCFunction)context_is_empty, METH_O, "Is a slot's value empty?"},
    {"explore", (PyCFunction)context_explore, METH_VARARGS,
     "explore(choice_inputs, reads, rf_choices, locations) -> {(last writes, flag_mask): count}"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject ContextType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "pylitmus.explorer._core.Context",
    .tp_basicsize = sizeof(Context),
    .tp_dealloc = (destructor)context_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A frame's slots: the static ops run on its inputs.",
    .tp_methods = context_methods,
    .tp_new = context_new,
};

/* ------------------------------------------------------------------------ */

static struct PyModuleDef core_module = {
    PyModuleDef_HEAD_INIT, "_core", "The C core of pylitmus's explorer.", -1, NULL,
};

/* A tuple of the strings `names[0..n)`, or NULL with an exception set. */
static PyObject *names_tuple(const char *const *names, int n) {
    PyObject *tuple = PyTuple_New(n);
    if (!tuple)
        return NULL;
    for (int i = 0; i < n; i++) {
        PyObject *name = PyUnicode_FromString(names[i]);
        if (!name) {
            Py_DECREF(tuple);
            return NULL;
        }
        PyTuple_SET_ITEM(tuple, i, name);
    }
    return tuple;
}

PyMODINIT_FUNC PyInit__core(void) {
    if (PyType_Ready(&ProgramType) < 0 || PyType_Ready(&ContextType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&core_module);
    if (!m)
        return NULL;
    Py_INCREF(&ProgramType);
    Py_INCREF(&ContextType);
    if (PyModule_AddObject(m, "Program", (PyObject *)&ProgramType) < 0
        || PyModule_AddObject(m, "Context", (PyObject *)&ContextType) < 0
        || PyModule_AddObject(m, "OPCODES", names_tuple(OPCODE_NAMES, N_OPCODES)) < 0
        || PyModule_AddObject(m, "CHECK_KINDS",
                              names_tuple(CHECK_KIND_NAMES, N_CHECK_KINDS)) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}

// SeqpacketSocketWrap, the native half of node-unix-socket's SeqpacketSocket and SeqpacketServer
// (its js/seqpacket.js is the other half, unchanged), for a guest architecture whose prebuilt binding
// the npm registry this project can reach does not serve (node-unix-socket-linux-arm64-gnu). berthd
// needs it for conmon's attach socket, which is SOCK_SEQPACKET (native/runtime/conmon.ts).
//
// It follows upstream's Rust binding (src/seqpacket.rs of node-unix-socket 0.2.7) method for method
// and event for event: the JavaScript object hands over its `emit`, and the binding emits `_connect`,
// `_connection` (fd, address), `_data` (Buffer), `end`, `_shutdown`, `_error` (Error) and `close`;
// a libuv poll handle on the non-blocking socket drives connect, accept, reads and queued writes.
// Where upstream has slips (write callbacks called in reverse order, a poll flag toggled rather than
// cleared), this does the evident intent. Events from libuv go through napi_make_callback, so the
// process.nextTick queue runs after each, as with Node's own sockets.
// The datagram sockets and SO_REUSEPORT of the same package are not here: berthd does not use them.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <uv.h>

enum { NEW_SOCKET = 1, SHUTTING_DOWN = 2, SHUT_DOWN = 3, CLOSED = 5 };
#define DEFAULT_READ_BUF_SIZE (256 * 1024)

typedef struct msg {
  struct msg *next;
  napi_ref cb;
  size_t len;
  char data[];
} msg_t;

typedef struct {
  napi_env env;
  int fd;
  int state;
  int events;
  uint32_t read_buf_size;
  uv_poll_t *poll;
  napi_ref emit;
  napi_ref self;
  napi_async_context async;
  msg_t *head;
  msg_t *tail;
  /* In a libuv callback rather than in a call from JavaScript. */
  int from_uv;
} sock_t;

#define CHECK(call)                                                                                \
  do {                                                                                             \
    if ((call) != napi_ok) return NULL;                                                            \
  } while (0)

static napi_value throw_message(napi_env env, const char *message) {
  napi_throw_error(env, NULL, message);
  return NULL;
}

/* Calls the object's emit(argv...); -1 when it threw. From libuv, a throw is the process's uncaught
 * exception (as in Node's own emitters); from JavaScript it stays pending for the caller. */
static int emit(sock_t *s, size_t argc, napi_value *argv) {
  napi_env env = s->env;
  napi_value fn, global;
  if (!s->emit) return 0;
  if (napi_get_reference_value(env, s->emit, &fn) != napi_ok || napi_get_global(env, &global) != napi_ok)
    return -1;
  napi_status st = s->from_uv ? napi_make_callback(env, s->async, global, fn, argc, argv, NULL)
                              : napi_call_function(env, global, fn, argc, argv, NULL);
  if (st == napi_ok) return 0;
  if (s->from_uv) {
    napi_value err;
    if (napi_get_and_clear_last_exception(env, &err) == napi_ok) napi_fatal_exception(env, err);
  }
  return -1;
}

static int emit_event(sock_t *s, const char *name) {
  napi_value ev;
  if (napi_create_string_utf8(s->env, name, NAPI_AUTO_LENGTH, &ev) != napi_ok) return -1;
  return emit(s, 1, &ev);
}

static int emit_error(sock_t *s, const char *message) {
  napi_value argv[2], msg;
  if (napi_create_string_utf8(s->env, "_error", NAPI_AUTO_LENGTH, &argv[0]) != napi_ok ||
      napi_create_string_utf8(s->env, message, NAPI_AUTO_LENGTH, &msg) != napi_ok ||
      napi_create_error(s->env, NULL, msg, &argv[1]) != napi_ok)
    return -1;
  return emit(s, 2, argv);
}

static void on_io(uv_poll_t *poll, int status, int events);

static int reset_poll(sock_t *s) {
  if (!s->poll || uv_is_closing((uv_handle_t *)s->poll)) return 0;
  if (s->events == 0) return uv_poll_stop(s->poll);
  return uv_poll_start(s->poll, s->events, on_io);
}

static void free_queue(sock_t *s) {
  while (s->head) {
    msg_t *m = s->head;
    s->head = m->next;
    if (m->cb) napi_delete_reference(s->env, m->cb);
    free(m);
  }
  s->tail = NULL;
}

static void on_close(uv_handle_t *handle) { free(handle); }

/* Stops the poll and hands the handle to libuv to free; the socket's struct may outlive it. */
static void release_poll(sock_t *s) {
  if (!s->poll) return;
  s->events = 0;
  reset_poll(s);
  s->poll->data = NULL;
  uv_close((uv_handle_t *)s->poll, on_close);
  s->poll = NULL;
}

static int do_close(sock_t *s) {
  if (s->state == CLOSED) return 0;
  release_poll(s);
  free_queue(s);
  close(s->fd);
  s->state = CLOSED;
  int r = emit_event(s, "close");
  if (s->emit) napi_delete_reference(s->env, s->emit);
  s->emit = NULL;
  if (s->self) napi_delete_reference(s->env, s->self);
  s->self = NULL;
  return r;
}

/* 0, an errno of shutdown(2), or -1 when a listener of `_shutdown` threw. */
static int shutdown_write(sock_t *s) {
  if (shutdown(s->fd, SHUT_WR) == -1) return errno;
  s->state = SHUT_DOWN;
  return emit_event(s, "_shutdown");
}

/* Writes what is queued; the callbacks of the messages written are called after, in their order. */
static void flush(sock_t *s) {
  msg_t *done = NULL, **done_tail = &done;
  while (s->head) {
    msg_t *m = s->head;
    ssize_t n;
    do n = write(s->fd, m->data, m->len);
    while (n == -1 && errno == EINTR);
    if (n == -1) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) break;
      emit_error(s, strerror(errno));
      return;
    }
    if ((size_t)n < m->len) {
      memmove(m->data, m->data + n, m->len - n);
      m->len -= n;
      break;
    }
    s->head = m->next;
    if (!s->head) s->tail = NULL;
    m->next = NULL;
    *done_tail = m;
    done_tail = &m->next;
  }
  if (s->head) {
    s->events |= UV_WRITABLE;
    reset_poll(s);
  } else if (s->state == SHUTTING_DOWN) {
    int r = shutdown_write(s);
    if (r > 0) emit_error(s, strerror(r));
  } else {
    s->events &= ~UV_WRITABLE;
    reset_poll(s);
  }
  while (done) {
    msg_t *m = done;
    done = m->next;
    if (m->cb) {
      napi_value fn, global;
      if (napi_get_reference_value(s->env, m->cb, &fn) == napi_ok && napi_get_global(s->env, &global) == napi_ok) {
        napi_status st = s->from_uv ? napi_make_callback(s->env, s->async, global, fn, 0, NULL, NULL)
                                    : napi_call_function(s->env, global, fn, 0, NULL, NULL);
        if (st != napi_ok && s->from_uv) {
          napi_value err;
          if (napi_get_and_clear_last_exception(s->env, &err) == napi_ok) napi_fatal_exception(s->env, err);
        }
      }
      napi_delete_reference(s->env, m->cb);
    }
    free(m);
  }
}

/* Reads every packet there is, each one a `_data` event; a read of nothing is the peer's end. */
static void read_packets(sock_t *s) {
  size_t size = s->read_buf_size ? s->read_buf_size : 1;
  char *buf = malloc(size);
  if (!buf) {
    emit_error(s, "out of memory");
    return;
  }
  while (s->state != CLOSED) {
    ssize_t n;
    do n = read(s->fd, buf, size);
    while (n == -1 && errno == EINTR);
    if (n == -1) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        s->events |= UV_READABLE;
        reset_poll(s);
      } else {
        emit_error(s, strerror(errno));
      }
      break;
    }
    if (n == 0) {
      s->events &= ~UV_READABLE;
      reset_poll(s);
      emit_event(s, "end");
      break;
    }
    napi_value argv[2];
    if (napi_create_string_utf8(s->env, "_data", NAPI_AUTO_LENGTH, &argv[0]) != napi_ok ||
        napi_create_buffer_copy(s->env, (size_t)n, buf, NULL, &argv[1]) != napi_ok)
      break;
    if (emit(s, 2, argv) < 0) break;
  }
  free(buf);
}

/* Runs `fn` for a libuv event on a socket that is still open, in a handle scope of its own. */
static void from_uv(uv_poll_t *poll, int status, int events, const char *op,
                    void (*fn)(sock_t *, int)) {
  sock_t *s = poll->data;
  if (!s || status == UV_ECANCELED) return;
  napi_handle_scope scope;
  if (napi_open_handle_scope(s->env, &scope) != napi_ok) return;
  // A local handle on the wrapper: no collection can finalize the socket while its listeners run.
  napi_value keep;
  if (s->self) napi_get_reference_value(s->env, s->self, &keep);
  s->from_uv = 1;
  if (status < 0) {
    char message[128];
    snprintf(message, sizeof message, "uv callback of %s failed with error: %s", op, uv_err_name(status));
    emit_error(s, message);
  } else {
    fn(s, events);
  }
  s->from_uv = 0;
  napi_close_handle_scope(s->env, scope);
}

static void io(sock_t *s, int events) {
  if (events & UV_WRITABLE) flush(s);
  if ((events & UV_READABLE) && s->state != CLOSED) read_packets(s);
}

static void connected(sock_t *s, int events) {
  (void)events;
  emit_event(s, "_connect");
}

static void accepted(sock_t *s, int events) {
  (void)events;
  struct sockaddr_un addr;
  socklen_t len = sizeof addr;
  memset(&addr, 0, sizeof addr);
  int fd = accept(s->fd, (struct sockaddr *)&addr, &len);
  if (fd == -1) {
    if (errno != EAGAIN && errno != EWOULDBLOCK) emit_error(s, strerror(errno));
    return;
  }
  napi_value argv[3];
  if (napi_create_string_utf8(s->env, "_connection", NAPI_AUTO_LENGTH, &argv[0]) != napi_ok ||
      napi_create_int32(s->env, fd, &argv[1]) != napi_ok ||
      napi_create_string_utf8(s->env, addr.sun_path, strnlen(addr.sun_path, sizeof addr.sun_path), &argv[2]) !=
          napi_ok) {
    close(fd);
    return;
  }
  emit(s, 3, argv);
}

static void on_io(uv_poll_t *poll, int status, int events) { from_uv(poll, status, events, "handle_io", io); }
static void on_connect(uv_poll_t *poll, int status, int events) {
  from_uv(poll, status, events, "handle_connect", connected);
}
static void on_socket(uv_poll_t *poll, int status, int events) {
  from_uv(poll, status, events, "handle_socket", accepted);
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  sock_t *s = data;
  if (s->state != CLOSED) {
    release_poll(s);
    close(s->fd);
  }
  free_queue(s);
  if (s->emit) napi_delete_reference(env, s->emit);
  if (s->self) napi_delete_reference(env, s->self);
  napi_async_destroy(env, s->async);
  free(s);
}

/* The socket of `this`, and its arguments; the from_uv flag is off while JavaScript calls in. */
static sock_t *unwrap(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv) {
  napi_value self;
  void *data = NULL;
  size_t want = argc ? *argc : 0;
  if (napi_get_cb_info(env, info, argc, argv, &self, NULL) != napi_ok) return NULL;
  for (size_t i = argc ? *argc : 0; i < want; i++) napi_get_undefined(env, &argv[i]);
  if (napi_unwrap(env, self, &data) != napi_ok) return NULL;
  return data;
}

static napi_value undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

static int sockaddr_of(napi_env env, napi_value path, struct sockaddr_un *addr) {
  size_t len;
  memset(addr, 0, sizeof *addr);
  addr->sun_family = AF_UNIX;
  if (napi_get_value_string_utf8(env, path, NULL, 0, &len) != napi_ok) return -1;
  if (len + 1 > sizeof addr->sun_path) {
    throw_message(env, "path to bind is too long");
    return -1;
  }
  return napi_get_value_string_utf8(env, path, addr->sun_path, sizeof addr->sun_path, &len) == napi_ok ? 0 : -1;
}

static napi_value construct(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], self, emit_fn, name;
  napi_valuetype t;
  CHECK(napi_get_cb_info(env, info, &argc, argv, &self, NULL));
  if (argc < 1 || napi_get_named_property(env, argv[0], "emit", &emit_fn) != napi_ok ||
      napi_typeof(env, emit_fn, &t) != napi_ok || t != napi_function)
    return throw_message(env, "expect a js object with 'emit' function");
  int fd = -1;
  if (argc > 1 && napi_typeof(env, argv[1], &t) == napi_ok && t == napi_number) {
    CHECK(napi_get_value_int32(env, argv[1], &fd));
  } else {
    fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    if (fd == -1) return throw_message(env, strerror(errno));
  }
  int flags = fcntl(fd, F_GETFL);
  if (flags == -1 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1 || fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
    return throw_message(env, strerror(errno));

  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  sock_t *s = calloc(1, sizeof *s);
  uv_poll_t *poll = calloc(1, sizeof *poll);
  if (!s || !poll) {
    free(s);
    free(poll);
    return throw_message(env, "out of memory");
  }
  int r = uv_poll_init(loop, poll, fd);
  if (r < 0) {
    free(s);
    free(poll);
    return throw_message(env, uv_err_name(r));
  }
  poll->data = s;
  s->env = env;
  s->fd = fd;
  s->state = NEW_SOCKET;
  s->read_buf_size = DEFAULT_READ_BUF_SIZE;
  s->poll = poll;
  if (napi_create_reference(env, emit_fn, 1, &s->emit) != napi_ok ||
      napi_create_string_utf8(env, "SeqpacketSocket", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_async_init(env, NULL, name, &s->async) != napi_ok ||
      napi_wrap(env, self, s, finalize, NULL, NULL) != napi_ok) {
    release_poll(s);
    close(fd);
    if (s->emit) napi_delete_reference(env, s->emit);
    free(s);
    return NULL;
  }
  return self;
}

/* The wrapper keeps itself alive while its handle is open: a reference until close(). */
static napi_value init(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  sock_t *s = unwrap(env, info, &argc, argv);
  if (!s) return NULL;
  if (s->self) napi_delete_reference(env, s->self);
  s->self = NULL;
  CHECK(napi_create_reference(env, argv[0], 1, &s->self));
  return undefined(env);
}

static napi_value state(napi_env env, napi_callback_info info) {
  sock_t *s = unwrap(env, info, NULL, NULL);
  napi_value v;
  if (!s) return NULL;
  CHECK(napi_create_int32(env, s->state, &v));
  return v;
}

static napi_value close_socket(napi_env env, napi_callback_info info) {
  sock_t *s = unwrap(env, info, NULL, NULL);
  if (!s) return NULL;
  int saved = s->from_uv;
  s->from_uv = 0;
  int r = do_close(s);
  s->from_uv = saved;
  return r < 0 ? NULL : undefined(env);
}

static napi_value shutdown_write_js(napi_env env, napi_callback_info info) {
  sock_t *s = unwrap(env, info, NULL, NULL);
  if (!s) return NULL;
  int saved = s->from_uv;
  s->from_uv = 0;
  int r = shutdown_write(s);
  s->from_uv = saved;
  if (r < 0) return NULL;
  if (r > 0) return throw_message(env, strerror(r));
  return undefined(env);
}

static napi_value uv_refer(napi_env env, napi_callback_info info) {
  sock_t *s = unwrap(env, info, NULL, NULL);
  if (!s) return NULL;
  if (s->poll) uv_ref((uv_handle_t *)s->poll);
  return undefined(env);
}

static napi_value uv_unrefer(napi_env env, napi_callback_info info) {
  sock_t *s = unwrap(env, info, NULL, NULL);
  if (!s) return NULL;
  if (s->poll) uv_unref((uv_handle_t *)s->poll);
  return undefined(env);
}

static napi_value set_read_buf_size(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  sock_t *s = unwrap(env, info, &argc, argv);
  if (!s) return NULL;
  CHECK(napi_get_value_uint32(env, argv[0], &s->read_buf_size));
  return undefined(env);
}

static napi_value get_read_buf_size(napi_env env, napi_callback_info info) {
  sock_t *s = unwrap(env, info, NULL, NULL);
  napi_value v;
  if (!s) return NULL;
  CHECK(napi_create_uint32(env, s->read_buf_size, &v));
  return v;
}

static napi_value start_recv(napi_env env, napi_callback_info info) {
  sock_t *s = unwrap(env, info, NULL, NULL);
  if (!s) return NULL;
  s->events |= UV_READABLE;
  int r = reset_poll(s);
  if (r < 0) return throw_message(env, uv_err_name(r));
  return undefined(env);
}

static napi_value address(napi_env env, napi_callback_info info) {
  sock_t *s = unwrap(env, info, NULL, NULL);
  struct sockaddr_un addr;
  socklen_t len = sizeof addr;
  napi_value v;
  if (!s) return NULL;
  memset(&addr, 0, sizeof addr);
  if (getsockname(s->fd, (struct sockaddr *)&addr, &len) == -1) return throw_message(env, strerror(errno));
  CHECK(napi_create_string_utf8(env, addr.sun_path, strnlen(addr.sun_path, sizeof addr.sun_path), &v));
  return v;
}

static napi_value listen_on(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  struct sockaddr_un addr;
  int backlog;
  sock_t *s = unwrap(env, info, &argc, argv);
  if (!s) return NULL;
  if (sockaddr_of(env, argv[0], &addr) < 0) return NULL;
  CHECK(napi_get_value_int32(env, argv[1], &backlog));
  if (bind(s->fd, (struct sockaddr *)&addr, sizeof addr) == -1 || listen(s->fd, backlog) == -1)
    return throw_message(env, strerror(errno));
  if (!s->poll) return throw_message(env, "socket has been closed");
  int r = uv_poll_start(s->poll, UV_READABLE, on_socket);
  if (r < 0) return throw_message(env, uv_err_name(r));
  return undefined(env);
}

static napi_value connect_to(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  struct sockaddr_un addr;
  sock_t *s = unwrap(env, info, &argc, argv);
  if (!s) return NULL;
  if (sockaddr_of(env, argv[0], &addr) < 0) return NULL;
  int r;
  do r = connect(s->fd, (struct sockaddr *)&addr, sizeof addr);
  while (r == -1 && errno == EINTR);
  if (r == -1 && errno != EINPROGRESS) {
    int err = errno;
    int saved = s->from_uv;
    s->from_uv = 0;
    int c = do_close(s);
    s->from_uv = saved;
    return c < 0 ? NULL : throw_message(env, strerror(err));
  }
  if (!s->poll) return throw_message(env, "socket has been closed");
  r = uv_poll_start(s->poll, UV_WRITABLE, on_connect);
  if (r < 0) return throw_message(env, uv_err_name(r));
  return undefined(env);
}

static napi_value write_js(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  void *data;
  size_t buflen;
  int32_t offset, length;
  napi_valuetype t;
  sock_t *s = unwrap(env, info, &argc, argv);
  if (!s) return NULL;
  if (s->state >= SHUTTING_DOWN) return throw_message(env, "socket has been shutdown");
  CHECK(napi_get_buffer_info(env, argv[0], &data, &buflen));
  CHECK(napi_get_value_int32(env, argv[1], &offset));
  CHECK(napi_get_value_int32(env, argv[2], &length));
  if (offset < 0 || length < 0 || (size_t)offset + (size_t)length > buflen) {
    napi_throw_range_error(env, NULL, "offset and length are outside the buffer");
    return NULL;
  }
  msg_t *m = malloc(sizeof *m + (size_t)length);
  if (!m) return throw_message(env, "out of memory");
  memcpy(m->data, (char *)data + offset, (size_t)length);
  m->len = (size_t)length;
  m->next = NULL;
  m->cb = NULL;
  if (napi_typeof(env, argv[3], &t) == napi_ok && t == napi_function &&
      napi_create_reference(env, argv[3], 1, &m->cb) != napi_ok) {
    free(m);
    return NULL;
  }
  if (s->tail) s->tail->next = m;
  else s->head = m;
  s->tail = m;
  int saved = s->from_uv;
  s->from_uv = 0;
  flush(s);
  s->from_uv = saved;
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  return pending ? NULL : undefined(env);
}

static napi_value shutdown_when_flushed(napi_env env, napi_callback_info info) {
  sock_t *s = unwrap(env, info, NULL, NULL);
  if (!s) return NULL;
  if (s->state == CLOSED) return throw_message(env, strerror(EBADF));
  s->state = SHUTTING_DOWN;
  if (s->head) return undefined(env);
  int saved = s->from_uv;
  s->from_uv = 0;
  int r = shutdown_write(s);
  s->from_uv = saved;
  if (r < 0) return NULL;
  if (r > 0) return throw_message(env, strerror(r));
  return undefined(env);
}

NAPI_MODULE_INIT() {
  napi_property_descriptor methods[] = {
      {"init", NULL, init, NULL, NULL, NULL, napi_default, NULL},
      {"state", NULL, state, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, close_socket, NULL, NULL, NULL, napi_default, NULL},
      {"shutdownWrite", NULL, shutdown_write_js, NULL, NULL, NULL, napi_default, NULL},
      {"uvRefer", NULL, uv_refer, NULL, NULL, NULL, napi_default, NULL},
      {"uvUnrefer", NULL, uv_unrefer, NULL, NULL, NULL, napi_default, NULL},
      {"setReadBufSize", NULL, set_read_buf_size, NULL, NULL, NULL, napi_default, NULL},
      {"getReadBufSize", NULL, get_read_buf_size, NULL, NULL, NULL, napi_default, NULL},
      {"startRecv", NULL, start_recv, NULL, NULL, NULL, napi_default, NULL},
      {"address", NULL, address, NULL, NULL, NULL, napi_default, NULL},
      {"listen", NULL, listen_on, NULL, NULL, NULL, napi_default, NULL},
      {"connect", NULL, connect_to, NULL, NULL, NULL, napi_default, NULL},
      {"write", NULL, write_js, NULL, NULL, NULL, napi_default, NULL},
      {"shutdownWhenFlushed", NULL, shutdown_when_flushed, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_value cls;
  if (napi_define_class(env, "SeqpacketSocketWrap", NAPI_AUTO_LENGTH, construct, NULL,
                        sizeof methods / sizeof methods[0], methods, &cls) != napi_ok ||
      napi_set_named_property(env, exports, "SeqpacketSocketWrap", cls) != napi_ok)
    return NULL;
  return exports;
}

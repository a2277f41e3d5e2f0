// SO_PEERCRED for node: the uid, gid and pid of the process at the other end of a unix socket.
// Node has no API for it; the daemon loads this addon when it was built and goes without it
// (uid unknown) when it was not.
#define _GNU_SOURCE
#include <sys/socket.h>
#include <node_api.h>

static napi_value set_int(napi_env env, napi_value obj, const char *name, int64_t v) {
  napi_value n;
  napi_create_int64(env, v, &n);
  napi_set_named_property(env, obj, name, n);
  return obj;
}

// peercred(fd) -> {pid, uid, gid} | null
static napi_value peercred(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_value result;
  int32_t fd = -1;
  napi_get_null(env, &result);
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) return result;
  if (napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) return result;
#ifdef SO_PEERCRED
  struct ucred cred;
  socklen_t len = sizeof(cred);
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof(cred)) return result;
  napi_create_object(env, &result);
  set_int(env, result, "pid", cred.pid);
  set_int(env, result, "uid", cred.uid);
  set_int(env, result, "gid", cred.gid);
#endif
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "peercred", NAPI_AUTO_LENGTH, peercred, NULL, &fn);
  napi_set_named_property(env, exports, "peercred", fn);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)

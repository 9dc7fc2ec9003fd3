/*
 * Valgrind client requests for `src/instructions.ts`: zero callgrind's counters before a window and
 * dump them, named, after it, so one process measures each workload window on its own. Built on
 * first use with the system's C compiler; outside valgrind every request does nothing.
 */
#include <node_api.h>
#include <valgrind/callgrind.h>

static napi_value zero(napi_env env, napi_callback_info info) {
  (void)env;
  (void)info;
  CALLGRIND_ZERO_STATS;
  return NULL;
}

static napi_value dump(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  char name[256];
  size_t length = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], name, sizeof name, &length) != napi_ok) return NULL;
  CALLGRIND_DUMP_STATS_AT(name);
  return NULL;
}

static napi_value running(napi_env env, napi_callback_info info) {
  napi_value result;
  (void)info;
  napi_get_boolean(env, RUNNING_ON_VALGRIND > 0, &result);
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor methods[] = {
      {"zero", NULL, zero, NULL, NULL, NULL, napi_default, NULL},
      {"dump", NULL, dump, NULL, NULL, NULL, napi_default, NULL},
      {"running", NULL, running, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, 3, methods);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)

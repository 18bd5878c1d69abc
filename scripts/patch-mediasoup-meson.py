#!/usr/bin/env python3
"""Rewrites mediasoup 3.12.16's worker meson files to use Debian bookworm's system libraries
instead of meson subprojects, which would be downloaded (impossible offline)."""
import re
import sys
from pathlib import Path

root = Path(sys.argv[1])
main = root / 'meson.build'
webrtc = root / 'deps' / 'libwebrtc' / 'meson.build'

SYSTEM_DEPS = """
openssl_dep = dependency('openssl')
nlohmann_json_dep = dependency('nlohmann_json')
libuv_dep = dependency('libuv')
libsrtp2_dep = dependency('libsrtp2')
usrsctp_dep = dependency('usrsctp')
absl_container_dep = [
  dependency('absl_flat_hash_map'),
  dependency('absl_flat_hash_set'),
  dependency('absl_hash'),
]
absl_strings_dep = dependency('absl_strings')
absl_types_dep = [dependency('absl_optional'), dependency('absl_variant')]
# Debian installs libsrtp2's headers under <includedir>/srtp2; the worker includes <srtp.h>.
srtp2_include = declare_dependency(include_directories: include_directories('/usr/include/srtp2'))
"""

text = main.read_text()
text = text.replace("meson_version: '>= 1.1.0'", "meson_version: '>= 1.0.0'")
start = text.index('openssl_proj = subproject(')
end = text.index('libwebrtc_include_directories')
text = text[:start] + SYSTEM_DEPS + '\n' + text[end:]
text = re.sub(r"dependencies = \[.*?\n\]", """dependencies = [
  absl_container_dep,
  openssl_dep,
  nlohmann_json_dep,
  libuv_dep,
  libsrtp2_dep,
  srtp2_include,
  usrsctp_dep,
  libwebrtc_dep,
]""", text, count=1, flags=re.S)
text = re.sub(r"link_whole = \[.*?\n\]", "link_whole = [\n  libwebrtc,\n]", text, count=1, flags=re.S)
# Windows-only getopt shim, a subproject too; this build is for Linux.
text = re.sub(r"if host_machine.system\(\) == 'windows'\n  wingetopt_proj.*?\nendif\n", '', text, count=1, flags=re.S)
# Only the worker executable is built here; the test and fuzzer targets need catch2 (a subproject).
text = text[:text.index('test_sources = [')]
main.write_text(text)

w = webrtc.read_text()
s = w.index('abseil_cpp_proj = subproject(')
e = w.index('local_include_directories')
w = w[:s] + w[e:]
w = w.replace("openssl_proj.get_variable('openssl_dep')", 'openssl_dep')
w = w.replace("abseil_cpp_proj.get_variable('absl_strings_dep')", 'absl_strings_dep')
w = w.replace("abseil_cpp_proj.get_variable('absl_types_dep')", 'absl_types_dep')
w = w.replace("nlohmann_json_proj.get_variable('nlohmann_json_dep')", 'nlohmann_json_dep')
w = w.replace("libuv_proj.get_variable('libuv_dep')", 'libuv_dep')
webrtc.write_text(w)
if 'subproject(' in text or 'subproject(' in w or '_proj.' in text + w:
    sys.exit('patch-mediasoup-meson: a subproject reference is left; the mediasoup version changed?')
print('patched', main, webrtc)

#!/bin/sh
# test_exports.sh PATH/libsendsec.so — the plugin's dynamic symbol table defines exactly one
# symbol, the Cyrus SASL entry point sasl_server_plug_init (sasl_sendsec.map hides the rest).
set -eu
lib=$1
defined=$(nm -D --defined-only "$lib" | awk '{ print $NF }' | sort)
if [ "$defined" != "sasl_server_plug_init" ]; then
	echo "FAIL: $lib defines other dynamic symbols than sasl_server_plug_init:" >&2
	echo "$defined" >&2
	exit 1
fi
# And it is a function.
nm -D --defined-only "$lib" | grep -q ' T sasl_server_plug_init$' || {
	echo "FAIL: sasl_server_plug_init is not a text symbol" >&2
	exit 1
}
echo "ok: $lib exports only sasl_server_plug_init"

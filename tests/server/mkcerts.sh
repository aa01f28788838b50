#!/bin/sh
# Make throw-away test certificates (EC P-256) and a bearer token in DIR.
# Usage: tests/server/mkcerts.sh DIR
#
#   ca.pem/ca.key                test CA
#   server.pem/server.key        CN=localhost, SAN DNS:localhost, IP:127.0.0.1 (by ca)
#   wronghost.pem/.key           SAN DNS:wrong.example only (by ca)
#   expired.pem/.key             localhost/127.0.0.1, valid only in 2020 (by ca)
#   other-ca.pem/.key            a second, untrusted CA
#   othersigned.pem/.key         localhost/127.0.0.1 server cert signed by other-ca
#   client.pem/client.key        client certificate (CN=kiosk-test), by ca
#   token                        random bearer token (0600, no newline)
#
# Idempotent: re-running replaces everything. Silent on success; on failure
# prints openssl's output and exits non-zero.
set -eu

[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 64; }
dir=$1
umask 077
mkdir -p "$dir"
chmod 0700 "$dir"
dir=$(cd "$dir" && pwd)

# Everything is made in a scratch directory inside DIR, then renamed into
# place, so a server starting meanwhile never reads a half-written file.
work=$(mktemp -d "$dir/.mkcerts.XXXXXX")
trap 'rm -rf "$work"' EXIT
errlog=$work/err.log
mkdir "$work/out"
cd "$work/out"

run() {
	if ! "$@" >>"$errlog" 2>&1; then
		echo "mkcerts.sh: failed: $*" >&2
		cat "$errlog" >&2
		exit 1
	fi
}

key() {	# key NAME
	run openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		-pkeyopt ec_param_enc:named_curve -out "$1.key"
	chmod 0600 "$1.key"
}

leaf_ext() {	# leaf_ext FILE SAN EKU
	cat >"$1" <<-EOF
		basicConstraints = critical, CA:FALSE
		keyUsage = critical, digitalSignature
		extendedKeyUsage = $3
		subjectKeyIdentifier = hash
		authorityKeyIdentifier = keyid
	EOF
	[ -z "$2" ] || echo "subjectAltName = $2" >>"$1"
}

leaf() {	# leaf NAME CN SAN EKU CA
	key "$1"
	leaf_ext "$work/$1.ext" "$3" "$4"
	run openssl req -new -key "$1.key" -subj "/O=Kiosk Test/CN=$2" \
		-config /dev/null -out "$work/$1.csr"
	run openssl x509 -req -in "$work/$1.csr" -CA "$5.pem" -CAkey "$5.key" \
		-set_serial "0x$(openssl rand -hex 16)" -days 825 -sha256 \
		-extfile "$work/$1.ext" -out "$1.pem"
}

ca() {	# ca NAME CN
	key "$1"
	run openssl req -new -x509 -key "$1.key" -subj "/O=Kiosk Test/CN=$2" \
		-days 3650 -sha256 -config /dev/null \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" \
		-addext "subjectKeyIdentifier=hash" \
		-out "$1.pem"
}

local_san="DNS:localhost, IP:127.0.0.1"

ca ca "Kiosk Test CA"
leaf server localhost "$local_san" serverAuth ca
leaf wronghost wrong.example "DNS:wrong.example" serverAuth ca
leaf client kiosk-test "" clientAuth ca
ca other-ca "Kiosk Other CA"
leaf othersigned localhost "$local_san" serverAuth other-ca

# Expired: OpenSSL 3.0's `x509 -req`/`req -x509` cannot set a past notBefore
# (-days must be positive; -not_before/-not_after arrived in 3.4), so use
# `openssl ca` with a minimal throw-away database and explicit dates.
key expired
run openssl req -new -key expired.key -subj "/O=Kiosk Test/CN=localhost" \
	-config /dev/null -out "$work/expired.csr"
mkdir "$work/db"
: >"$work/db/index.txt"
openssl rand -hex 16 >"$work/db/serial"
cat >"$work/ca.cnf" <<EOF
[ ca ]
default_ca = testca
[ testca ]
dir = $work/db
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir
certificate = $PWD/ca.pem
private_key = $PWD/ca.key
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = none
email_in_dn = no
[ anything ]
organizationName = optional
commonName = supplied
[ v3_expired ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = $local_san
EOF
run openssl ca -batch -notext -config "$work/ca.cnf" -extensions v3_expired \
	-startdate 20200101000000Z -enddate 20200201000000Z \
	-in "$work/expired.csr" -out expired.pem

# Bearer token: 32 random bytes, hex, no trailing newline.
openssl rand -hex 32 | tr -d '\n' >token
[ -s token ] || { echo "mkcerts.sh: could not make a token" >&2; exit 1; }
chmod 0600 token ./*.key
chmod 0644 ./*.pem
for f in *; do
	mv -f "$f" "$dir/$f"
done

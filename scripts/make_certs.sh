#!/usr/bin/env bash
# Generates the test PKI in certs/ (deno task certs). Test keys only: never
# deploy them. Needs openssl (Debian: openssl). Validity is long (until 2126)
# except for the certificates that are meant to be expired or not yet valid.
set -euo pipefail
cd "$(dirname "$0")/../certs"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# A minimal CA configuration so `openssl ca` can set explicit start and end dates.
ca_conf() { # $1 = CA name (dir under $work)
  mkdir -p "$work/$1/new"
  : > "$work/$1/index.txt"
  echo 1000 > "$work/$1/serial"
  cat > "$work/$1/ca.cnf" <<CNF
[ ca ]
default_ca = ca_default
[ ca_default ]
dir = $work/$1
database = \$dir/index.txt
new_certs_dir = \$dir/new
serial = \$dir/serial
default_md = sha256
policy = policy_any
copy_extensions = none
unique_subject = no
[ policy_any ]
commonName = supplied
organizationName = optional
[ v3_intermediate ]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ server ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = @server_names
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ server_names ]
DNS.1 = localhost
IP.1 = 127.0.0.1
[ wrong_host ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:acs.example.net
[ no_server_auth ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = @server_names
[ client ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
CNF
}

# sign NAME CA-DIR CA-CERT CA-KEY EXTENSION CN START END
sign() {
  key "$1.key"
  openssl req -new -key "$1.key" -subj "/O=cwmp-agent test PKI/CN=$6" -out "$work/$1.csr" 2>/dev/null
  openssl ca -batch -config "$work/$2/ca.cnf" -cert "$3" -keyfile "$4" -extensions "$5" \
    -startdate "$7" -enddate "$8" -notext -in "$work/$1.csr" -out "$1.crt" 2>/dev/null
}

LONG_START=20260101000000Z
LONG_END=21260101000000Z

# Root CA (self-signed, long-lived).
key root-ca.key
openssl req -x509 -new -key root-ca.key -sha256 -days 36500 -subj "/O=cwmp-agent test PKI/CN=Test Root CA" \
  -addext "basicConstraints=critical,CA:true" -addext "keyUsage=critical,keyCertSign,cRLSign" -out root-ca.crt
ca_conf root
sign intermediate-ca root root-ca.crt root-ca.key v3_intermediate "Test Intermediate CA" $LONG_START $LONG_END
ca_conf inter
sign acs-server inter intermediate-ca.crt intermediate-ca.key server "127.0.0.1" $LONG_START $LONG_END
sign cpe-client inter intermediate-ca.crt intermediate-ca.key client "00D09E-EX5400-EXN5400A1B2C3" $LONG_START $LONG_END
sign wrong-host inter intermediate-ca.crt intermediate-ca.key wrong_host "acs.example.net" $LONG_START $LONG_END
sign expired inter intermediate-ca.crt intermediate-ca.key server "127.0.0.1" 20200101000000Z 20210101000000Z
sign not-yet-valid inter intermediate-ca.crt intermediate-ca.key server "127.0.0.1" 21250101000000Z $LONG_END
sign no-server-auth inter intermediate-ca.crt intermediate-ca.key no_server_auth "127.0.0.1" $LONG_START $LONG_END

# An unrelated CA and a server certificate it signed.
key unknown-ca.key
openssl req -x509 -new -key unknown-ca.key -sha256 -days 36500 -subj "/O=Someone Else/CN=Unknown CA" \
  -addext "basicConstraints=critical,CA:true" -addext "keyUsage=critical,keyCertSign,cRLSign" -out unknown-ca.crt
ca_conf unknown
sign unknown-issuer unknown unknown-ca.crt unknown-ca.key server "127.0.0.1" $LONG_START $LONG_END

# Chains as servers present them (leaf + intermediate).
for leaf in acs-server wrong-host expired not-yet-valid no-server-auth cpe-client; do
  cat "$leaf.crt" intermediate-ca.crt > "$leaf.chain.pem"
done
chmod 600 ./*.key
echo "test PKI written to $(pwd)"

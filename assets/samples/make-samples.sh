#!/bin/sh
# Regenerates the demo certificate set: the same shape as the set in Microchip's
# app note "ATWINC15x0 Certificates Update from Host via OTA (HTTPS)":
#   two roots for the root store, and the module's RSA key with its two-certificate
#   chain (module certificate + the CA that issued it).
# Valid for 20 years so tests do not rot. Usage: sh assets/samples/make-samples.sh
set -eu
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
days=7300

# Two independent roots (self-signed CAs), as DER like the app note's .cer files.
for name in a b; do
  upper=$(echo "$name" | tr a-z A-Z)
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/root_$name.key" -sha256 -days "$days" \
    -subj "/C=US/O=WINC Cert Studio Demo/CN=Demo Root CA $upper" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -outform DER -out "root_$name.cer" 2>/dev/null
done

# The CA that issues the module's certificate.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/module_ca.key" -sha256 -days "$days" \
  -subj "/C=US/O=WINC Cert Studio Demo/CN=Demo Module CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -out "$work/module_ca.pem" 2>/dev/null
openssl x509 -in "$work/module_ca.pem" -outform DER -out module_ca.cer

# The module's RSA key (PKCS#1 PEM, as Microchip's tools read it) and its certificate.
openssl genrsa -traditional -out winc_rsa.key 2048 2>/dev/null
openssl req -new -key winc_rsa.key -subj "/C=US/O=WINC Cert Studio Demo/CN=winc-module" -out "$work/winc_rsa.csr"
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth,serverAuth\n' > "$work/ext.cnf"
openssl x509 -req -in "$work/winc_rsa.csr" -CA "$work/module_ca.pem" -CAkey "$work/module_ca.key" -set_serial 0x1001 \
  -sha256 -days "$days" -extfile "$work/ext.cnf" -outform DER -out winc_rsa.cer 2>/dev/null

echo "wrote root_a.cer root_b.cer winc_rsa.key winc_rsa.cer module_ca.cer"

#!/bin/sh
# Makes the fixed seed files of src-main/testing/fuzz.test.ts (run from the repository root).
# Test material only: the keys are the public sample keys of assets/samples and a throwaway EC key.
set -eu
out=src-main/testing/fuzz-seeds
samples=assets/samples
pw=fuzz-pw
openssl ecparam -name prime256v1 -genkey -noout -out "$out/ec.key"
openssl req -x509 -new -key "$out/ec.key" -subj /CN=fuzz-ec -days 7300 -out "$out/ec-leaf.pem"
cat "$samples/winc_rsa.key" > "$out/bundle.pem"
openssl x509 -inform DER -in "$samples/winc_rsa.cer" >> "$out/bundle.pem"
cat "$out/ec-leaf.pem" >> "$out/bundle.pem"
openssl x509 -inform DER -in "$samples/winc_rsa.cer" -out "$out/leaf.pem"
openssl pkcs8 -topk8 -nocrypt -in "$samples/winc_rsa.key" -outform DER -out "$out/rsa8.der"
openssl pkcs12 -export -in "$out/leaf.pem" -inkey "$samples/winc_rsa.key" -passout "pass:$pw" -iter 64 -out "$out/module.p12"
openssl pkcs12 -export -in "$out/leaf.pem" -inkey "$samples/winc_rsa.key" -passout "pass:$pw" -iter 64 \
  -certpbe PBE-SHA1-3DES -keypbe PBE-SHA1-3DES -macalg sha1 -out "$out/legacy.p12"
openssl pkcs8 -topk8 -in "$samples/winc_rsa.key" -outform DER -passout "pass:$pw" -iter 64 -out "$out/enc8.der"
openssl pkcs8 -topk8 -in "$out/ec.key" -passout "pass:$pw" -iter 64 -out "$out/enc8.pem"
openssl rsa -in "$samples/winc_rsa.key" -aes128 -traditional -passout "pass:$pw" -out "$out/legacy-enc.pem"

#!/bin/sh
# xrust-test: no-sanitize
# The two servers of the remote cache tests, checked with curl and
# without xrust: nginx as a WebDAV store (tests/fixtures/webdav.sh) takes
# a PUT into parent collections it creates, serves it back, answers 404
# for what it lacks and 401 for a wrong basic-auth password; the S3 server
# (tests/fixtures/s3rver.sh) takes a request signed with AWS Signature V4
# and refuses one signed with a wrong secret (403 SignatureDoesNotMatch),
# so the xrust tests against it prove something about signing.  Both stop
# when asked.
. "$(dirname "$0")/../lib.sh"

command -v curl >/dev/null 2>&1 || {
  skip "cache fixtures" "curl is not installed (tests/deps.sh installs it)"
  done_testing; exit 0; }

printf 'layer bytes\n' >"$T/blob"
blob_sha=$(sha "$T/blob")
empty_sha=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855

# code ARGS...: curl's HTTP status for a request (000: none).
code() { curl -s -o "$T/body" -w '%{http_code}' --max-time 10 "$@"; }

# ---------------------------------------------------------------- WebDAV
start_webdav "$T/dav" --auth "u:pw-right"
st=$?
if [ $st -eq 2 ]; then
  skip "WebDAV fixture" "$(cat "$T/dav/start.err")"
elif [ $st -ne 0 ]; then
  fixture_failed "nginx starts as a WebDAV store" "$T/dav/start.err"
else
  ok "nginx starts as a WebDAV store on $WEBDAV_URL"
  u=$WEBDAV_URL/c/xrust-v1/objects/x.tar.zst
  is "webdav: PUT creates the parent collections (201)" \
    "$(code -u u:pw-right -T "$T/blob" "$u")" 201
  is "webdav: the file is stored under the root" "$(sha "$WEBDAV_ROOT/c/xrust-v1/objects/x.tar.zst")" "$blob_sha"
  is "webdav: GET serves it (200)" "$(code -u u:pw-right "$u")" 200
  is "webdav: ... the same bytes" "$(sha "$T/body")" "$blob_sha"
  is "webdav: a second PUT replaces it (204)" "$(code -u u:pw-right -T "$T/blob" "$u")" 204
  is "webdav: HEAD of a missing file is 404" \
    "$(code -I -u u:pw-right "$WEBDAV_URL/c/xrust-v1/index/none")" 404
  is "webdav: a wrong password is 401" "$(code -u u:pw-wrong "$u")" 401
  is "webdav: no credentials is 401" "$(code "$u")" 401
  like "webdav: the access log has the PUT with its length" "$WEBDAV_LOG" \
    '^PUT /c/xrust-v1/objects/x\.tar\.zst 201 [0-9]+ [0-9]+$'
  check "webdav: the stop command stops nginx" stop_webdav "$T/dav"
  is "webdav: ... and nothing answers any more" "$(code "$u")" 000
fi

# ---------------------------------------------------------------- S3
XRUST_S3RVER_KEY="AKIDTEST:right/secret+1" start_s3 "$T/s3" bkt
st=$?
if [ $st -eq 2 ]; then
  skip "S3 fixture" "$(tail -n 1 "$T/s3/start.err")"
elif [ $st -ne 0 ]; then
  fixture_failed "the S3 server starts" "$T/s3/start.err"
else
  ok "the S3 server starts on $S3_URL"
  sig="--aws-sigv4 aws:amz:us-east-1:s3"
  o=$S3_URL/bkt/pre/xrust-v1/index/k
  is "s3: a signed PUT is accepted (200)" "$(code $sig --user AKIDTEST:right/secret+1 \
    -H "x-amz-content-sha256: $blob_sha" -T "$T/blob" "$o")" 200
  is "s3: a signed GET returns it (200)" "$(code $sig --user AKIDTEST:right/secret+1 \
    -H "x-amz-content-sha256: $empty_sha" "$o")" 200
  is "s3: ... the same bytes" "$(sha "$T/body")" "$blob_sha"
  is "s3: a GET signed with a wrong secret is refused (403)" \
    "$(code $sig --user AKIDTEST:wrong -H "x-amz-content-sha256: $empty_sha" "$o")" 403
  like "s3: ... as SignatureDoesNotMatch" "$T/body" '<Code>SignatureDoesNotMatch</Code>'
  is "s3: a PUT signed with a wrong secret is refused (403)" \
    "$(code $sig --user AKIDTEST:wrong -H "x-amz-content-sha256: $blob_sha" \
      -T "$T/blob" "$S3_URL/bkt/pre/other")" 403
  is "s3: s3rver's default key pair is revoked (403)" \
    "$(code $sig --user S3RVER:S3RVER -H "x-amz-content-sha256: $empty_sha" "$o")" 403
  is "s3: HEAD of a missing key is 404" "$(code -I $sig --user AKIDTEST:right/secret+1 \
    -H "x-amz-content-sha256: $empty_sha" "$S3_URL/bkt/pre/none")" 404
  like "s3: the access log has the signed PUT" "$S3_LOG" '^PUT /bkt/pre/xrust-v1/index/k 200$'
  check "s3: the stop command stops the server" stop_s3 "$T/s3"
  is "s3: ... and nothing answers any more" "$(code "$o")" 000
fi

done_testing

#ifndef PYBAK_CCURL_SHIM_H
#define PYBAK_CCURL_SHIM_H
#include <curl/curl.h>

/* curl_easy_setopt and curl_easy_getinfo are variadic; Swift cannot call them.
   One typed wrapper per argument type, nothing else. */

/// Sets a `long` option (timeouts, flags, CURLOPT_UPLOAD, ...).
static inline CURLcode CCurl_setopt_long(CURL *h, CURLoption opt, long value) {
    return curl_easy_setopt(h, opt, value);
}

/// Sets a `curl_off_t` option (CURLOPT_INFILESIZE_LARGE, CURLOPT_POSTFIELDSIZE_LARGE, ...).
static inline CURLcode CCurl_setopt_off(CURL *h, CURLoption opt, curl_off_t value) {
    return curl_easy_setopt(h, opt, value);
}

/// Sets a string option; libcurl copies the string.
static inline CURLcode CCurl_setopt_string(CURL *h, CURLoption opt, const char *value) {
    return curl_easy_setopt(h, opt, value);
}

/// Sets a pointer option (CURLOPT_WRITEDATA, CURLOPT_HTTPHEADER, CURLOPT_MAIL_RCPT, ...).
static inline CURLcode CCurl_setopt_pointer(CURL *h, CURLoption opt, void *value) {
    return curl_easy_setopt(h, opt, value);
}

/// Data callbacks: CURLOPT_WRITEFUNCTION, CURLOPT_HEADERFUNCTION, CURLOPT_READFUNCTION.
typedef size_t (*CCurl_data_callback)(char *buffer, size_t size, size_t count, void *context);
static inline CURLcode CCurl_setopt_data_callback(CURL *h, CURLoption opt, CCurl_data_callback cb) {
    return curl_easy_setopt(h, opt, cb);
}

/// Progress callback: CURLOPT_XFERINFOFUNCTION (return non-zero to abort the transfer).
typedef int (*CCurl_xferinfo_callback)(void *context, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow);
static inline CURLcode CCurl_setopt_xferinfo_callback(CURL *h, CCurl_xferinfo_callback cb) {
    return curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, cb);
}

/// Seek callback: CURLOPT_SEEKFUNCTION (lets libcurl rewind a streamed body on redirects/auth).
typedef int (*CCurl_seek_callback)(void *context, curl_off_t offset, int origin);
static inline CURLcode CCurl_setopt_seek_callback(CURL *h, CCurl_seek_callback cb) {
    return curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, cb);
}

/// Reads a `long` info field (CURLINFO_RESPONSE_CODE, ...).
static inline CURLcode CCurl_getinfo_long(CURL *h, CURLINFO info, long *out) {
    return curl_easy_getinfo(h, info, out);
}

/// Reads a `curl_off_t` info field (CURLINFO_SIZE_UPLOAD_T, CURLINFO_TOTAL_TIME_T, ...).
static inline CURLcode CCurl_getinfo_off(CURL *h, CURLINFO info, curl_off_t *out) {
    return curl_easy_getinfo(h, info, out);
}

/// Reads a string info field (CURLINFO_EFFECTIVE_URL, ...); the string belongs to the handle.
static inline CURLcode CCurl_getinfo_string(CURL *h, CURLINFO info, const char **out) {
    return curl_easy_getinfo(h, info, (char **)out);
}
#endif

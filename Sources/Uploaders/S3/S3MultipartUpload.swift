import Archive
import Foundation
import Logging
import PyBakCore
import Transport

/// One multipart upload of a file: parts streamed from disk, each with its `Content-MD5` and SHA-256, then
/// CompleteMultipartUpload and a check of the ETag against the MD5 of the part MD5s.
///
/// With a `store`, the UploadId is saved as soon as the upload is created, so a pass killed mid-upload leaves
/// a record: the next pass lists the parts the bucket holds (ListParts), checks each one's size and ETag against
/// the MD5 of the same range of the local file, sends only the missing parts and completes the same upload.
/// A saved upload the store no longer knows (`NoSuchUpload`) starts afresh; one for other content (size, part
/// size or a part's ETag differ) is aborted first. A retryable failure (network, 5xx) keeps the upload for the
/// next pass; any other failure aborts it, so no parts are left behind.
struct S3MultipartUpload {
    let client: S3Client
    let bucket: String
    let file: String
    let size: Int64
    let key: String
    let partSize: Int64
    /// Headers sent with CreateMultipartUpload (content type, storage class).
    let objectHeaders: [(name: String, value: String)]
    let store: S3UploadStore?
    let logger: Logger

    private var url: String { client.endpoint.objectURL(key) }
    private var partCount: Int { Int((size + partSize - 1) / partSize) }
    private static let emptyHash = Hex.encode(Digest.sha256([]))

    /// What a saved upload turned out to be.
    private enum Saved {
        /// Resumable: the MD5 of each part the bucket already holds (all checked against the local file).
        case resume(String, held: [Int: [UInt8]])
        /// The bucket no longer knows it (completed, aborted, or removed by a lifecycle rule).
        case gone
        /// It holds other content; it is aborted.
        case other(String, reason: String)
    }

    /// Sends the file and returns the object's ETag.
    func run() throws -> String {
        if let saved = store?.load(bucket: bucket, key: key) {
            switch try inspect(saved) {
            case .resume(let uploadId, let held):
                logger.notice("multipart upload resumed from an earlier pass", metadata: [
                    "object.url": "\(url)", "upload.parts_held": "\(held.count)", "upload.parts": "\(partCount)",
                ])
                return try send(uploadId: uploadId, held: held, kept: true)
            case .gone:
                store?.remove(bucket: bucket, key: key)
                logger.notice("saved multipart upload is gone; starting a new one", metadata: ["object.url": "\(url)"])
            case .other(let uploadId, let reason):
                abort(uploadId)
                store?.remove(bucket: bucket, key: key)
                logger.notice("saved multipart upload holds other content; aborted it and starting a new one", metadata: [
                    "object.url": "\(url)", "reason": "\(reason)",
                ])
            }
        }
        let created = try client.send("POST", key: key, query: [(name: "uploads", value: "")], headers: objectHeaders, payloadHash: Self.emptyHash)
        guard let uploadId = S3XML.element("UploadId", in: created.text), !uploadId.isEmpty else {
            throw UploadError(path: url, "the store answered CreateMultipartUpload without an UploadId: \(ServiceMessage.excerpt(of: created.body))")
        }
        var kept = false
        if let store {
            do {
                try store.save(.init(uploadId: uploadId, bucket: bucket, key: key, size: size, partSize: partSize, startedAt: Date().timeIntervalSince1970))
                kept = true
            } catch {
                logger.warning("could not save the multipart upload; it is aborted on any failure and a killed pass would leave its parts", metadata: [
                    "object.url": "\(url)", "reason": "\(error)",
                ])
            }
        }
        return try send(uploadId: uploadId, held: [:], kept: kept)
    }

    /// Lists a saved upload's parts and checks them against the local file.
    private func inspect(_ saved: S3UploadStore.Saved) throws -> Saved {
        guard saved.size == size, saved.partSize == partSize else {
            return .other(saved.uploadId, reason: "saved for \(saved.size) bytes in parts of \(saved.partSize), the file has \(size) in parts of \(partSize)")
        }
        guard let listed = try listParts(saved.uploadId) else { return .gone }
        var held: [Int: [UInt8]] = [:]
        for part in listed {
            guard part.number >= 1, part.number <= partCount else { return .other(saved.uploadId, reason: "part \(part.number) is beyond the file") }
            let (offset, length) = range(of: part.number)
            guard part.size == length else { return .other(saved.uploadId, reason: "part \(part.number) holds \(part.size) bytes, not \(length)") }
            let md5 = try Digest.ofFile(file, offset: offset, length: length).md5
            guard part.etag == Hex.encode(md5) else {
                return .other(saved.uploadId, reason: "part \(part.number)'s ETag \(part.etag) is not the MD5 of the file's bytes")
            }
            held[part.number] = md5
        }
        return .resume(saved.uploadId, held: held)
    }

    /// Every part the bucket holds for an upload (ListParts, page by page); nil when it does not know the upload.
    private func listParts(_ uploadId: String) throws -> [S3XML.ListedPart]? {
        var parts: [S3XML.ListedPart] = []
        var marker: Int?
        repeat {
            var query = [(name: "uploadId", value: uploadId)]
            if let marker { query.append((name: "part-number-marker", value: "\(marker)")) }
            let request = client.signedRequest("GET", key: key, query: query, payloadHash: Self.emptyHash)
            let response = try client.answer(to: request, key: key)
            if response.status == 404 && response.text.contains("NoSuchUpload") { return nil }
            guard response.isSuccess else { throw S3Client.uploadError(response.error(for: request), object: url) }
            guard let page = S3XML.listParts(response.text) else {
                throw UploadError(path: url, "the store's ListParts answer is not understood: \(ServiceMessage.excerpt(of: response.body))", retryable: true)
            }
            parts += page.parts
            marker = page.next
        } while marker != nil
        return parts
    }

    /// Offset and length of part `number` (from 1).
    private func range(of number: Int) -> (offset: Int64, length: Int64) {
        let offset = Int64(number - 1) * partSize
        return (offset, min(partSize, size - offset))
    }

    /// Sends the parts not `held`, completes the upload and checks its ETag.
    /// - Parameter kept: the UploadId is saved: a retryable failure leaves the upload for the next pass.
    private func send(uploadId: String, held: [Int: [UInt8]], kept: Bool) throws -> String {
        do {
            var etags: [String] = []
            var md5s: [UInt8] = []
            for number in 1...max(1, partCount) {
                let md5 = try held[number] ?? sendPart(number, uploadId: uploadId)
                etags.append(Hex.encode(md5))
                md5s += md5
            }
            let etag = try complete(uploadId: uploadId, etags: etags, md5s: md5s)
            store?.remove(bucket: bucket, key: key)
            return etag
        } catch let error as UploadError where error.isRetryable && kept {
            logger.notice("multipart upload left for the next pass to resume", metadata: ["object.url": "\(url)", "reason": "\(error)"])
            throw error
        } catch {
            abort(uploadId)
            store?.remove(bucket: bucket, key: key)
            throw error
        }
    }

    /// Sends one part; returns its MD5, checked against the ETag the store answered.
    private func sendPart(_ number: Int, uploadId: String) throws -> [UInt8] {
        let (offset, length) = range(of: number)
        let digests = try Digest.ofFile(file, offset: offset, length: length)
        let response = try client.send(
            "PUT", key: key, query: [(name: "partNumber", value: "\(number)"), (name: "uploadId", value: uploadId)],
            headers: [(name: "Content-MD5", value: ByteText.base64(digests.md5))],
            body: .file(path: file, offset: offset, length: length), payloadHash: Hex.encode(digests.sha256))
        _ = try S3Uploader.checkedETag(response, expected: Hex.encode(digests.md5), object: url + " part \(number)")
        return digests.md5
    }

    private func complete(uploadId: String, etags: [String], md5s: [UInt8]) throws -> String {
        let body = Array(S3XML.completeMultipartUpload(etags: etags).utf8)
        let completed = try client.send(
            "POST", key: key, query: [(name: "uploadId", value: uploadId)], headers: [(name: "Content-Type", value: "application/xml")],
            body: .bytes(body), payloadHash: Hex.encode(Digest.sha256(body)))
        // S3 may answer 200 and put the error in the body.
        if let code = S3XML.element("Code", in: completed.text), completed.text.contains("<Error>") {
            throw UploadError(path: url, "CompleteMultipartUpload failed: \(code): \(S3XML.element("Message", in: completed.text) ?? "")", retryable: true)
        }
        let expected = "\(Hex.encode(Digest.md5(md5s)))-\(etags.count)"
        let etag = S3XML.element("ETag", in: completed.text).map(S3XML.unquote) ?? ""
        guard etag.isEmpty || etag == expected else {
            throw UploadError(path: url, "the store's ETag \(etag) does not match the parts sent (\(expected)); the object is not trusted and is uploaded again next pass", retryable: true)
        }
        return etag.isEmpty ? expected : etag
    }

    /// Aborts a multipart upload so its parts are not left stored (and billed).
    private func abort(_ uploadId: String) {
        do {
            _ = try client.send("DELETE", key: key, query: [(name: "uploadId", value: uploadId)], payloadHash: Self.emptyHash)
            logger.notice("multipart upload aborted", metadata: ["object.url": "\(url)"])
        } catch {
            logger.warning("could not abort a multipart upload; its parts stay until a lifecycle rule removes them", metadata: [
                "object.url": "\(url)", "upload.id": "\(uploadId)", "reason": "\(error)",
            ])
        }
    }
}

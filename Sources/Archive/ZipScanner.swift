/// Reads a zip archive front to back through its local headers (as PyBak writes it: sizes in the local
/// header or its ZIP64 extra field, no data descriptors), inflating the members a visitor wants and
/// checking each one's CRC-32 and length. Stops reading members at the central directory.
public final class ZipScanner: ArchiveScanner {
    private enum State {
        case signature, localFixed, localVariable, data, trailer
    }
    private var state = State.signature
    private var header = HeaderCollector()
    private let member: MemberTracker
    private let inflater: GzipInflater
    private var fixed: [UInt8] = []
    private var remaining: UInt64 = 0
    private var method: UInt16 = 0
    private var expectedCRC: UInt32 = 0
    private var expectedSize: UInt64 = 0
    private var problem: String?
    private var offset: UInt64 = 0
    private var members = 0

    /// A scanner handing members to `visitor`.
    public init(visitor: any ArchiveMemberVisitor) throws {
        member = MemberTracker(visitor: visitor)
        inflater = try GzipInflater(raw: true)
        header.expect(4)
    }

    public func feed(_ chunk: UnsafeRawBufferPointer) throws {
        var position = 0
        while position < chunk.count {
            switch state {
            case .trailer:
                return
            case .data:
                let take = Int(min(remaining, UInt64(chunk.count - position)))
                try memberBytes(UnsafeRawBufferPointer(rebasing: chunk[position..<(position + take)]))
                position += take
                offset += UInt64(take)
                remaining -= UInt64(take)
                if remaining == 0 { try endMember() }
            default:
                let before = position
                let complete = header.take(chunk, offset: &position)
                offset += UInt64(position - before)
                if complete { try headerComplete() }
            }
        }
    }

    public func finish() throws {
        guard case .trailer = state else {
            throw ArchiveError("the zip archive ends early, after \(members) members (truncated copy)")
        }
    }

    private func headerComplete() throws {
        switch state {
        case .signature:
            let signature = header.bytes.le32(at: 0)
            if signature == ZipLayout.localSignature {
                state = .localFixed
                header.expect(26)
            } else if signature == ZipLayout.centralSignature || signature == ZipLayout.endSignature {
                state = .trailer
            } else {
                throw ArchiveError("not a zip archive as PyBak writes it: unexpected bytes at offset \(offset - 4)")
            }
        case .localFixed:
            fixed = header.bytes
            let flags = fixed.le16(at: 2)
            guard flags & 0x0008 == 0 else {
                throw ArchiveError("the zip member at offset \(offset - 30) uses a data descriptor, which PyBak does not write")
            }
            state = .localVariable
            header.expect(Int(fixed.le16(at: 22)) + Int(fixed.le16(at: 24)))
            if header.need == 0 { try headerComplete() }
        case .localVariable:
            try startMember()
        case .data, .trailer:
            break
        }
    }

    private func startMember() throws {
        let nameLength = Int(fixed.le16(at: 22))
        let name = String(decoding: header.bytes[0..<nameLength], as: UTF8.self)
        method = fixed.le16(at: 4)
        expectedCRC = fixed.le32(at: 10)
        var compressed = UInt64(fixed.le32(at: 14))
        expectedSize = UInt64(fixed.le32(at: 18))
        // ZIP64 extra field: the sizes whose classic fields are 0xFFFFFFFF, uncompressed first.
        var position = nameLength
        let bytes = header.bytes
        while position + 4 <= bytes.count {
            let id = bytes.le16(at: position)
            let size = Int(bytes.le16(at: position + 2))
            if id == 0x0001 {
                var field = position + 4
                if expectedSize == 0xFFFF_FFFF, field + 8 <= bytes.count {
                    expectedSize = bytes.le64(at: field)
                    field += 8
                }
                if compressed == 0xFFFF_FFFF, field + 8 <= bytes.count { compressed = bytes.le64(at: field) }
            }
            position += 4 + size
        }
        guard method == 0 || method == ZipLayout.deflated else {
            throw ArchiveError("the zip member \(name) uses compression method \(method); PyBak writes deflate (8) only")
        }
        members += 1
        problem = nil
        inflater.reset()
        try member.start(name, size: Int64(clamping: expectedSize))
        remaining = compressed
        state = .data
        if remaining == 0 { try endMember() }
    }

    private func memberBytes(_ bytes: UnsafeRawBufferPointer) throws {
        guard member.wanted, problem == nil else { return }
        if method == 0 { return try member.data(bytes) }
        do {
            try inflater.feed(bytes) { try member.data($0) }
        } catch let error as ArchiveError {
            problem = "its deflate data is corrupt (\(error.message))"
        }
    }

    private func endMember() throws {
        if member.wanted && problem == nil {
            if method == ZipLayout.deflated && !inflater.finished {
                problem = "its deflate data ends early"
            } else if member.crc != expectedCRC {
                problem = "its CRC-32 is \(String(member.crc, radix: 16)), the header says \(String(expectedCRC, radix: 16))"
            } else if UInt64(member.length) != expectedSize {
                problem = "it holds \(member.length) bytes, the header says \(expectedSize)"
            }
        }
        try member.end(problem: problem)
        state = .signature
        header.expect(4)
    }
}

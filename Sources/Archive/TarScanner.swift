/// Reads a tar stream (ustar with pax extended headers) front to back, handing regular-file members to a
/// visitor. Checks each header's checksum; other entry types are skipped.
public final class TarScanner: ArchiveScanner {
    private enum State {
        case header, pax, data, padding, end
    }
    private var state = State.header
    private var header = HeaderCollector()
    private let member: MemberTracker
    private var remaining: Int64 = 0
    private var paddingLeft = 0
    private var isFile = false
    private var paxData: [UInt8] = []
    private var paxPath: String?
    private var paxSize: Int64?
    private var members = 0
    /// pax records longer than this are refused (PyBak writes a few hundred bytes).
    static let paxLimit: Int64 = 1 << 20

    /// A scanner handing members to `visitor`.
    public init(visitor: any ArchiveMemberVisitor) {
        member = MemberTracker(visitor: visitor)
        header.expect(TarLayout.blockSize)
    }

    public func feed(_ chunk: UnsafeRawBufferPointer) throws {
        var position = 0
        while position < chunk.count {
            switch state {
            case .end:
                return
            case .header:
                if header.take(chunk, offset: &position) { try headerComplete() }
            case .pax, .data:
                let take = Int(min(remaining, Int64(chunk.count - position)))
                let bytes = UnsafeRawBufferPointer(rebasing: chunk[position..<(position + take)])
                if state == .pax { paxData.append(contentsOf: bytes) } else if isFile { try member.data(bytes) }
                position += take
                remaining -= Int64(take)
                if remaining == 0 { try dataComplete() }
            case .padding:
                let take = min(paddingLeft, chunk.count - position)
                position += take
                paddingLeft -= take
                if paddingLeft == 0 { nextHeader() }
            }
        }
    }

    public func finish() throws {
        guard state == .end else { throw ArchiveError("the tar stream ends early, after \(members) members (truncated copy)") }
    }

    private func nextHeader() {
        state = .header
        header.expect(TarLayout.blockSize)
    }

    private func headerComplete() throws {
        let block = header.bytes
        if block.allSatisfy({ $0 == 0 }) {
            state = .end
            return
        }
        var sum: Int64 = 0
        for (index, byte) in block.enumerated() { sum += (148..<156).contains(index) ? 32 : Int64(byte) }
        guard let recorded = Self.octal(block[148..<156]), recorded == sum else {
            throw ArchiveError("a tar header after \(members) members has a bad checksum (corrupt archive)")
        }
        guard let fieldSize = Self.octal(block[124..<136]) else { throw ArchiveError("a tar header after \(members) members has a bad size field") }
        let type = block[156]
        let size = (type == UInt8(ascii: "x") || type == UInt8(ascii: "g")) ? fieldSize : (paxSize ?? fieldSize)
        remaining = size
        paddingLeft = TarLayout.padding(size)
        isFile = false
        if type == UInt8(ascii: "x") {
            guard size <= Self.paxLimit else { throw ArchiveError("a pax header of \(size) bytes is larger than PyBak accepts") }
            paxData.removeAll(keepingCapacity: true)
            state = .pax
        } else {
            if type == UInt8(ascii: "0") || type == 0 {
                isFile = true
                members += 1
                try member.start(paxPath ?? Self.ustarName(block), size: size)
            }
            paxPath = nil
            paxSize = nil
            state = .data
        }
        if remaining == 0 { try dataComplete() }
    }

    private func dataComplete() throws {
        if state == .pax {
            try parsePax()
        } else if isFile {
            try member.end(problem: nil)
        }
        if paddingLeft > 0 { state = .padding } else { nextHeader() }
    }

    private func parsePax() throws {
        var position = 0
        while position < paxData.count {
            guard let space = paxData[position...].firstIndex(of: UInt8(ascii: " ")),
                let length = Int(String(decoding: paxData[position..<space], as: UTF8.self)), length > 0,
                position + length <= paxData.count
            else { throw ArchiveError("a pax header after \(members) members is malformed") }
            let record = paxData[(space + 1)..<(position + length - 1)]
            if let equals = record.firstIndex(of: UInt8(ascii: "=")) {
                let key = String(decoding: record[record.startIndex..<equals], as: UTF8.self)
                let value = String(decoding: record[(equals + 1)...], as: UTF8.self)
                if key == "path" { paxPath = value }
                if key == "size" { paxSize = Int64(value) }
            }
            position += length
        }
    }

    static func ustarName(_ block: [UInt8]) -> String {
        func text(_ range: Range<Int>) -> String {
            String(decoding: block[range].prefix { $0 != 0 }, as: UTF8.self)
        }
        let name = text(0..<100)
        let prefix = text(345..<500)
        return prefix.isEmpty ? name : "\(prefix)/\(name)"
    }

    static func octal(_ field: ArraySlice<UInt8>) -> Int64? {
        var value: Int64 = 0
        var digits = 0
        for byte in field {
            if byte == 0 || byte == UInt8(ascii: " ") {
                if digits > 0 { break } else { continue }
            }
            guard (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(byte) else { return nil }
            value = value * 8 + Int64(byte - UInt8(ascii: "0"))
            digits += 1
        }
        return value
    }
}

/// A tar stream inside gzip: inflates and hands the tar bytes to a `TarScanner`.
public final class TarGzScanner: ArchiveScanner {
    private let inflater: GzipInflater
    private let tar: TarScanner

    /// A scanner handing members to `visitor`.
    public init(visitor: any ArchiveMemberVisitor) throws {
        inflater = try GzipInflater()
        tar = TarScanner(visitor: visitor)
    }

    public func feed(_ chunk: UnsafeRawBufferPointer) throws {
        try inflater.feed(chunk) { try tar.feed($0) }
    }

    public func finish() throws {
        guard inflater.finished else { throw ArchiveError("the gzip stream of the tar.gz archive ends early (truncated copy)") }
        try tar.finish()
    }
}

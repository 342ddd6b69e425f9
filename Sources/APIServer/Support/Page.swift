import Hummingbird

/// One page of a list, with the cursor of the next page (nil on the last page).
struct Page<Item: Codable & Sendable>: ResponseEncodable, Sendable {
    var items: [Item]
    var nextCursor: String?

    /// Builds a page from `limit + 1` fetched rows: the extra row only says there is more.
    init(fetched: [Item], limit: Int, cursor: (Item) -> Int64?) {
        if fetched.count > limit {
            items = Array(fetched.prefix(limit))
            nextCursor = items.last.flatMap(cursor).map(String.init)
        } else {
            items = fetched
            nextCursor = nil
        }
    }
}

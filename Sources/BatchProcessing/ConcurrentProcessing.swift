/// Runs `body` on every element of `items` with at most `limit` running at once, pulling the next
/// element only when one finishes — so a lazy sequence (a file read line by line) is consumed at
/// the pace of the work, in constant memory.
///
/// - Parameters:
///   - items: The work, pulled in order.
///   - limit: The most calls running at once (at least 1).
///   - shouldContinue: Asked before pulling each element; `false` stops pulling (the running calls finish).
///   - body: The work for one element.
public func forEachConcurrently<Items: Sequence>(
    _ items: Items, limit: Int, shouldContinue: @Sendable () -> Bool = { true },
    _ body: @escaping @Sendable (Items.Element) async -> Void
) async where Items.Element: Sendable {
    var iterator = items.makeIterator()
    await withTaskGroup(of: Void.self) { group in
        var running = 0
        while running < max(1, limit), shouldContinue(), let item = iterator.next() {
            group.addTask { await body(item) }
            running += 1
        }
        while running > 0 {
            await group.next()
            running -= 1
            if shouldContinue(), let item = iterator.next() {
                group.addTask { await body(item) }
                running += 1
            }
        }
    }
}

/// One piece of a source text, with where it came from.
public struct Chunk: Sendable, Hashable, Codable {
    /// The chunk's text (exactly the source's characters in ``utf8Range``).
    public var text: String
    /// Where the text sits in the source, in UTF-8 bytes.
    public var utf8Range: Range<Int>
    /// Where the text sits in the source, in `Character`s (grapheme clusters), as `String.count` counts them.
    public var characterRange: Range<Int>
    /// The chunk's position among the chunks of its source, from 0.
    public var index: Int
    /// What the chunker knows about the chunk: `headerPath` (Markdown, headings joined by " > "),
    /// `symbol` and `kind` (code), and whatever the caller adds.
    public var metadata: [String: String]

    /// Creates a chunk.
    public init(text: String, utf8Range: Range<Int>, characterRange: Range<Int>, index: Int, metadata: [String: String] = [:]) {
        self.text = text
        self.utf8Range = utf8Range
        self.characterRange = characterRange
        self.index = index
        self.metadata = metadata
    }
}

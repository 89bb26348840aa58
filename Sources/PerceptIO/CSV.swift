import Foundation
import PerceptCore

/// A CSV file with a header row (RFC 4180: quoted fields may hold commas, quotes written `""`
/// and line breaks; LF or CRLF line ends; a UTF-8 byte-order mark is ignored). Every row keeps
/// its line number, so an error can name `manifest.csv:17`.
///
///     let t = try CSV.read("Samples/spoken/manifest.csv"); let files = try t.column("file")
public struct CSV: Sendable {
    public let path: String
    public let header: [String]
    /// The data rows, each with exactly `header.count` fields; blank lines are skipped.
    public let rows: [[String]]
    /// The line (1-based) each row starts on.
    public let lines: [Int]

    /// Reads and parses a file; a row with a different number of fields than the header, an
    /// unterminated quote or text that is not UTF-8 is an error naming the line.
    public static func read(_ path: String) throws -> CSV {
        try FileChecks.requireReadableFile(path)
        guard let data = FileManager.default.contents(atPath: path) else { throw PerceptError.badInput(file: path, "cannot read") }
        guard let text = String(data: data, encoding: .utf8) else { throw PerceptError.badInput(file: path, "is not UTF-8 text") }
        return try parse(text, path: path)
    }

    /// One field as RFC 4180 writes it: quoted (quotes doubled) when it holds a comma, a quote
    /// or a line break, else as it is.
    ///
    ///     CSV.field("noise, 10 dB")   // "\"noise, 10 dB\""
    public static func field(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Parses text; `path` names the source in errors.
    public static func parse(_ text: String, path: String) throws -> CSV {
        var records: [([String], Int)] = []
        var fields: [String] = []
        var field = ""
        var line = 1, recordLine = 1
        var quoted = false, wasQuoted = false
        var chars = Array(text.unicodeScalars)
        if chars.first == "\u{FEFF}" { chars.removeFirst() }
        func endRecord() {
            fields.append(field)
            // A line with nothing on it is not a record.
            if !(fields.count == 1 && fields[0].isEmpty && !wasQuoted) { records.append((fields, recordLine)) }
            fields = []; field = ""; wasQuoted = false
        }
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if quoted {
                if c == "\"" {
                    if i + 1 < chars.count, chars[i + 1] == "\"" { field.unicodeScalars.append("\""); i += 1 } else { quoted = false }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
            } else {
                switch c {
                case "\"" where field.isEmpty: quoted = true; wasQuoted = true
                case ",": fields.append(field); field = ""
                case "\r" where i + 1 < chars.count && chars[i + 1] == "\n": break
                case "\n":
                    endRecord()
                    line += 1; recordLine = line
                default: field.unicodeScalars.append(c)
                }
            }
            i += 1
        }
        if quoted { throw PerceptError.badInput(file: "\(path):\(recordLine)", "unterminated quoted field") }
        if !field.isEmpty || !fields.isEmpty || wasQuoted { endRecord() }
        guard let (header, _) = records.first else { throw PerceptError.badInput(file: path, "no header row") }
        let names = header.map { $0.trimmingCharacters(in: .whitespaces) }
        var rows: [[String]] = [], lines: [Int] = []
        for (r, l) in records.dropFirst() {
            guard r.count == names.count else {
                throw PerceptError.badInput(file: "\(path):\(l)", "\(r.count) fields, the header has \(names.count)")
            }
            rows.append(r); lines.append(l)
        }
        return CSV(path: path, header: names, rows: rows, lines: lines)
    }

    /// The index of a column, or an error naming the columns there are (with the closest one).
    public func columnIndex(_ name: String) throws -> Int {
        guard let i = header.firstIndex(of: name) else {
            throw PerceptError.badInput(file: path, "no column '\(name)'\(didYouMean(name, in: header)); columns: \(header.joined(separator: ", "))")
        }
        return i
    }

    /// Every row's value in a column.
    public func column(_ name: String) throws -> [String] {
        let i = try columnIndex(name)
        return rows.map { $0[i] }
    }
}

/// Percept's version, shown by `percept --version`.
public enum PerceptVersion {
    public static let string = "0.1.0"
}

package io.psip.admin;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** Columns as wide as their widest cell, two spaces apart; the last column is not padded. */
final class TextTable {

    private final List<String[]> rows = new ArrayList<>();
    private final int columns;
    private final boolean header;

    TextTable(String... headers) {
        this.columns = headers.length;
        this.header = true;
        rows.add(headers);
    }

    private TextTable(int columns) {
        this.columns = columns;
        this.header = false;
    }

    /** A table of {@code columns} without a header line (help texts). */
    static TextTable withoutHeader(int columns) {
        return new TextTable(columns);
    }

    TextTable row(Object... cells) {
        String[] row = new String[columns];
        for (int i = 0; i < columns; i++) {
            row[i] = i < cells.length && cells[i] != null ? cells[i].toString() : "-";
        }
        rows.add(row);
        return this;
    }

    /** Whether it has no row beyond its header. */
    boolean isEmpty() {
        return rows.size() <= (header ? 1 : 0);
    }

    void print(PrintStream out) {
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int i = 0; i < columns; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                line.append(i == columns - 1 ? row[i] : String.format("%-" + widths[i] + "s  ", row[i]));
            }
            out.println(line.toString().stripTrailing());
        }
    }
}

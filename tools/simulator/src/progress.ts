/** A one-line progress bar on a terminal; plain periodic lines when the output is not a terminal (CI logs). */
export class Progress {
  private done = 0;
  private lastPrint = 0;

  constructor(
    private readonly total: number,
    private readonly label: string,
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly quiet = false,
  ) {}

  tick(n = 1, detail = ''): void {
    this.done += n;
    const now = Date.now();
    if (this.quiet || (now - this.lastPrint < 200 && this.done < this.total)) return;
    this.lastPrint = now;
    const ratio = this.total ? this.done / this.total : 1;
    if (this.out.isTTY) {
      const width = 30;
      const filled = Math.round(ratio * width);
      this.out.write(
        `\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(ratio * 100).toFixed(0).padStart(3)}% ${this.done}/${this.total} ${detail}`.padEnd(
          100,
        ),
      );
      if (this.done >= this.total) this.out.write('\n');
    } else if (this.done >= this.total || now - this.lastPrint >= 0) {
      if (this.done >= this.total || Math.floor(ratio * 10) !== Math.floor(((this.done - n) / this.total) * 10)) {
        this.out.write(`${this.label}: ${this.done}/${this.total} ${detail}\n`);
      }
    }
  }
}

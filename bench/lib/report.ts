/**
 * Prints benchmark figures in one uniform shape: the measurement, the baseline measured in the same run, their
 * ratio and the target from the issue. Benchmarks print; they never assert.
 */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number };
  target?: string;
}

export function heading(title: string): void {
  console.log(`\n== ${title}`);
}

export function report(figure: Figure): void {
  let line = `${figure.name.padEnd(44)} ${format(figure.value).padStart(12)} ${figure.unit}`;
  if (figure.baseline) {
    const ratio = figure.baseline.value > 0 ? `${(figure.value / figure.baseline.value).toFixed(2)}×` : 'n/a';
    line += ` | baseline ${figure.baseline.name}: ${format(figure.baseline.value)} ${figure.unit} | ratio ${ratio}`;
  }
  if (figure.target) line += ` | target ${figure.target}`;
  console.log(line);
}

export function note(text: string): void {
  console.log(`   ${text}`);
}

function format(value: number): string {
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  if (value >= 1) return value.toFixed(2);
  return value.toFixed(3);
}

// Renders an Observable Plot figure, loading the library on first use (it is not in the first page).
import { useEffect, useRef } from 'react';

type PlotModule = typeof import('@observablehq/plot');

export function PlotFigure({ render, label }: { render: (plot: PlotModule) => SVGSVGElement | HTMLElement; label: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let cancelled = false;
    let figure: Element | null = null;
    void import('@observablehq/plot').then((plot) => {
      if (cancelled || !ref.current) return;
      figure = render(plot);
      // The wrapper is the accessible image (role="img" with its label); Plot's own ARIA on the
      // marks inside it would be prohibited there, so the drawing is hidden from assistive tech.
      figure.setAttribute('aria-hidden', 'true');
      for (const mark of figure.querySelectorAll('[aria-label], [aria-description]')) {
        mark.removeAttribute('aria-label');
        mark.removeAttribute('aria-description');
      }
      ref.current.replaceChildren(figure);
    });
    return () => {
      cancelled = true;
      figure?.remove();
    };
  }, [render]);
  return <div ref={ref} className="figure" role="img" aria-label={label} />;
}

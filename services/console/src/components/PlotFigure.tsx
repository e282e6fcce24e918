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
      ref.current.replaceChildren(figure);
    });
    return () => {
      cancelled = true;
      figure?.remove();
    };
  }, [render]);
  return <div ref={ref} className="figure" role="img" aria-label={label} />;
}

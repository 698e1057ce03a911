// What a page's screen shows, for the browser checks: installed in every page of a context or page as
// window.deskgateCanvasProbe(), which describes noVNC's canvas (the one inside #screen, else the largest):
// size, distinct colours, the share of the most common colour, the spread of luma, and a hash of the pixels.
export async function installCanvasProbe(target) {
  await target.addInitScript(() => {
    window.deskgateCanvasProbe = () => {
      let best = document.querySelector('#screen canvas');
      if (!best) for (const c of document.querySelectorAll('canvas')) if (!best || c.width * c.height > best.width * best.height) best = c;
      if (!best || best.width <= 0 || best.height <= 0) return null;
      const d = best.getContext('2d').getImageData(0, 0, best.width, best.height).data;
      const counts = new Map();
      let s = 0, s2 = 0, n = 0, hash = 0;
      for (let i = 0; i < d.length; i += 4) {
        const key = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2];
        if (counts.size < 65536 || counts.has(key)) counts.set(key, (counts.get(key) || 0) + 1);
        const l = 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
        s += l; s2 += l * l; n++;
        hash = (hash * 31 + key) | 0;
      }
      const dominant = Math.max(...counts.values());
      const mean = s / n;
      return { width: best.width, height: best.height, distinctColors: counts.size, dominantFraction: dominant / n,
               lumaStddev: Math.sqrt(Math.max(0, s2 / n - mean * mean)), hash };
    };
  });
}

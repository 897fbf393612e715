/** The photo profile the server checks against (照片规格), read once: the overlay's figures. */
import { useEffect, useState } from 'react';
import { api } from './client';
import type { GeometryLimits } from './types';

interface ProfileAnswer {
  width?: number;
  height?: number;
  geometry?: { headTop: [number, number]; eyeLine: [number, number]; faceWidth: [number, number]; centreTolerance: number };
}

let cached: Promise<GeometryLimits | null> | null = null;

/** The server profile as overlay limits, or null (then the national figures are used). */
export function useProfileLimits(): GeometryLimits | null {
  const [limits, setLimits] = useState<GeometryLimits | null>(null);
  useEffect(() => {
    cached ??= api<ProfileAnswer>('/photo-profile')
      .then((p) => (p.width && p.height && p.geometry ? { width: p.width, height: p.height, ...p.geometry } : null))
      .catch(() => null);
    let alive = true;
    void cached.then((l) => alive && setLimits(l));
    return () => {
      alive = false;
    };
  }, []);
  return limits;
}

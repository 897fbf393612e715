/** The logged-in user (当前用户) and session actions, shared by every page. */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiError, onUnauthorised, setCsrfToken } from '../api/client';
import type { User } from '../api/types';

interface AuthState {
  user: User | null;
  loading: boolean;
  /** The account still has an initial password: only the change-password page is shown (PASSWORD_CHANGE_REQUIRED). */
  mustChangePassword: boolean;
  login(username: string, password: string): Promise<User>;
  logout(): Promise<void>;
  changePassword(oldPassword: string, newPassword: string): Promise<void>;
}

type SessionAnswer = { user: User; csrfToken: string; mustChangePassword?: boolean };

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null>(null);
  const [loading, setLoading] = useState(true);
  const [mustChangePassword, setMustChange] = useState(false);

  useEffect(() => {
    let alive = true;
    api<SessionAnswer>('/auth/me')
      .then((r) => {
        if (!alive) return;
        setCsrfToken(r.csrfToken);
        setMustChange(r.mustChangePassword === true);
        setUser(r.user);
      })
      .catch((e: unknown) => {
        if (alive && !(e instanceof ApiError && e.status === 401)) console.warn(e);
      })
      .finally(() => alive && setLoading(false));
    const off = onUnauthorised(() => setUser(null));
    return () => {
      alive = false;
      off();
    };
  }, []);

  const login = useCallback(async (username: string, password: string) => {
    const r = await api<SessionAnswer>('/auth/login', { body: { username, password } });
    setCsrfToken(r.csrfToken);
    setMustChange(r.mustChangePassword === true);
    setUser(r.user);
    return r.user;
  }, []);

  const logout = useCallback(async () => {
    try {
      await api('/auth/logout', { method: 'POST', body: {} });
    } finally {
      setCsrfToken(null);
      setUser(null);
    }
  }, []);

  const changePassword = useCallback(async (oldPassword: string, newPassword: string) => {
    await api('/auth/password', { body: { oldPassword, newPassword } });
    setMustChange(false);
  }, []);

  const value = useMemo(
    () => ({ user, loading, mustChangePassword, login, logout, changePassword }),
    [user, loading, mustChangePassword, login, logout, changePassword],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}

/** The user, for pages that only render when logged in. */
export function useUser(): User {
  const { user } = useAuth();
  if (!user) throw new Error('no user');
  return user;
}

const STAFF: User['role'][] = ['centre_staff', 'city_reviewer', 'province_reviewer', 'national_reviewer', 'collector', 'admin'];
export const isStaff = (u: User) => STAFF.includes(u.role);

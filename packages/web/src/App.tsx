/** Routes: login, then the staff pages or the student's own pages, each only for the roles allowed. */
import { Result, Spin } from 'antd';
import type { ReactNode } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router-dom';
import type { Role } from './api/types';
import { useAuth } from './auth/AuthContext';
import { AppLayout } from './layout/AppLayout';
import { MENU, homeFor } from './layout/menu';
import { AccountsPage } from './pages/AccountsPage';
import { AuditPage } from './pages/AuditPage';
import { BatchesPage } from './pages/BatchesPage';
import { CertificatesPage } from './pages/CertificatesPage';
import { CollectionPage } from './pages/CollectionPage';
import { DashboardPage } from './pages/DashboardPage';
import { IdentityPage } from './pages/IdentityPage';
import { ImportPage } from './pages/ImportPage';
import { LoginPage } from './pages/LoginPage';
import { PasswordPage } from './pages/PasswordPage';
import { ChangePasswordPage } from './pages/ChangePasswordPage';
import { SetupPage } from './pages/SetupPage';
import { PhotosPage } from './pages/PhotosPage';
import { ReviewPage } from './pages/ReviewPage';
import { StudentDetailPage } from './pages/StudentDetailPage';
import { StudentsPage } from './pages/StudentsPage';
import { MyPage } from './student/MyPage';
import { NotificationsPage } from './pages/NotificationsPage';
import { ImportJobsPage } from './pages/ImportJobsPage';
import { StudentAccountsPage } from './pages/StudentAccountsPage';

function rolesOf(path: string): Role[] {
  return MENU.find((m) => m.path === path)?.roles ?? [];
}

function Guard({ path, children }: { path: string; children: ReactNode }) {
  const { user } = useAuth();
  if (!user) return null;
  if (!rolesOf(path).includes(user.role)) return <Result status="403" title="无权访问此页面" subTitle="您的角色不能使用此页面，请从左侧菜单选择" />;
  return <>{children}</>;
}

function RequireLogin({ children }: { children: ReactNode }) {
  const { user, loading, mustChangePassword } = useAuth();
  const loc = useLocation();
  if (loading) return <Spin style={{ display: 'block', marginTop: 120 }} size="large" />;
  if (!user) return <Navigate to="/login" replace state={{ from: loc.pathname }} />;
  if (mustChangePassword) return <ChangePasswordPage forced />;
  return <>{children}</>;
}

function Home() {
  const { user } = useAuth();
  return <Navigate to={user ? homeFor(user.role) : '/login'} replace />;
}

export function AppRoutes() {
  const { user, loading } = useAuth();
  return (
    <BrowserRouter>
      <Routes>
        <Route path="/setup" element={<SetupPage />} />
        <Route path="/login" element={!loading && user ? <Navigate to={homeFor(user.role)} replace /> : <LoginPage />} />
        <Route
          element={
            <RequireLogin>
              <AppLayout />
            </RequireLogin>
          }
        >
          <Route index element={<Home />} />
          <Route path="/dashboard" element={<Guard path="/dashboard"><DashboardPage /></Guard>} />
          <Route path="/students" element={<Guard path="/students"><StudentsPage /></Guard>} />
          <Route path="/students/:id" element={<Guard path="/students"><StudentDetailPage /></Guard>} />
          <Route path="/photos" element={<Guard path="/photos"><PhotosPage /></Guard>} />
          <Route path="/import" element={<Guard path="/import"><ImportPage /></Guard>} />
          <Route path="/imports" element={<Guard path="/imports"><ImportJobsPage /></Guard>} />
          <Route path="/student-accounts" element={<Guard path="/student-accounts"><StudentAccountsPage /></Guard>} />
          <Route path="/review" element={<Guard path="/review"><ReviewPage /></Guard>} />
          <Route path="/identity" element={<Guard path="/identity"><IdentityPage /></Guard>} />
          <Route path="/batches" element={<Guard path="/batches"><BatchesPage /></Guard>} />
          <Route path="/certificates" element={<Guard path="/certificates"><CertificatesPage /></Guard>} />
          <Route path="/collection" element={<Guard path="/collection"><CollectionPage /></Guard>} />
          <Route path="/audit" element={<Guard path="/audit"><AuditPage /></Guard>} />
          <Route path="/me" element={<Guard path="/me"><MyPage /></Guard>} />
          <Route path="/accounts" element={<Guard path="/accounts"><AccountsPage /></Guard>} />
          <Route path="/account" element={<PasswordPage />} />
          <Route path="/notifications" element={<NotificationsPage />} />
          <Route path="*" element={<Result status="404" title="页面不存在" />} />
        </Route>
      </Routes>
    </BrowserRouter>
  );
}

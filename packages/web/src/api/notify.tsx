/**
 * Showing refusals to people (错误提示): every `{ code, message }` from the server is shown with its
 * Chinese message as is, and the stable code beside it, through antd's App notification API.
 */
import { App } from 'antd';
import { useCallback } from 'react';
import { ApiError } from './client';

export function errorText(e: unknown): { code: string; message: string } {
  if (e instanceof ApiError) return { code: e.code, message: e.message };
  return { code: 'CLIENT_ERROR', message: e instanceof Error ? e.message : String(e) };
}

/** A function that shows an error notification: 中文说明 + code. */
export function useShowError(): (e: unknown, title?: string) => void {
  const { notification } = App.useApp();
  return useCallback(
    (e: unknown, title = '操作未成功') => {
      if (e instanceof Error && e.name === 'AbortError') return;
      const { code, message } = errorText(e);
      notification.error({
        title,
        description: (
          <span data-testid="error-message">
            {message}
            <span style={{ color: '#999', marginLeft: 8, fontFamily: 'monospace' }}>（{code}）</span>
          </span>
        ),
        duration: 8,
      });
    },
    [notification],
  );
}

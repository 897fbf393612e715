/**
 * Showing refusals to people (错误提示): every `{ code, message }` from the server is shown with its
 * Chinese message as is; the stable English code stays out of the text, in the tooltip and `data-code`
 * (for support staff and tests), through antd's App notification API.
 */
import { App } from 'antd';
import { useCallback } from 'react';
import { ApiError } from './client';

export function errorText(e: unknown): { code: string; message: string } {
  if (e instanceof ApiError) return { code: e.code, message: e.message };
  return { code: 'CLIENT_ERROR', message: e instanceof Error ? e.message : String(e) };
}

/** A function that shows an error notification: 中文说明, the code in the tooltip. */
export function useShowError(): (e: unknown, title?: string) => void {
  const { notification } = App.useApp();
  return useCallback(
    (e: unknown, title = '操作未成功') => {
      if (e instanceof Error && e.name === 'AbortError') return;
      const { code, message } = errorText(e);
      notification.error({
        title,
        description: (
          <span data-testid="error-message" data-code={code} title={`代码：${code}`}>
            {message}
          </span>
        ),
        duration: 8,
      });
    },
    [notification],
  );
}

import { validateSignUp } from './accounts';

const valid = {
  email: ' New.Person@Example.com ',
  name: ' 김배달 ',
  password: 'correct horse battery',
  role: 'CUSTOMER',
};
const fieldOf = (input: Partial<typeof valid>) => {
  try {
    validateSignUp({ ...valid, ...input });
    return null;
  } catch (error) {
    return (error as { extensions: { field: string } }).extensions.field;
  }
};

describe('a sign-up', () => {
  it('keeps the email trimmed and in lower case, and the name trimmed', () => {
    expect(validateSignUp(valid)).toEqual({ email: 'new.person@example.com', name: '김배달', role: 'CUSTOMER' });
    expect(validateSignUp({ ...valid, role: 'OWNER' }).role).toBe('OWNER');
  });

  it('needs a password of at least 10 characters: 9 are refused, 10 pass', () => {
    expect(fieldOf({ password: 'kq8#mzt2v' })).toBe('password');
    expect(fieldOf({ password: 'kq8#mzt2vx' })).toBeNull();
    expect(fieldOf({ password: 'x'.repeat(257) })).toBe('password');
  });

  it('refuses the most common passwords, in any case, and the email itself', () => {
    for (const common of ['password123', 'qwertyuiop', '1234567890', 'PASSWORD123', 'Qwertyuiop'])
      expect([common, fieldOf({ password: common })]).toEqual([common, 'password']);
    expect(fieldOf({ email: 'someone@example.com', password: 'someone@example.com' })).toBe('password');
  });

  it('refuses a bad email, an empty or long name, and a role one cannot sign up for', () => {
    expect(fieldOf({ email: 'not an email' })).toBe('email');
    expect(fieldOf({ name: '  ' })).toBe('name');
    expect(fieldOf({ name: 'x'.repeat(51) })).toBe('name');
    expect(fieldOf({ role: 'ADMIN' })).toBe('role');
  });
});

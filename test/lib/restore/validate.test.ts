import { expect } from 'chai';
import { nameProblems, parameterProblems, ArchiveProblems } from '../../../ts/lib/restore/validate.js';
import { describeValueCallError } from '../../../ts/lib/support/errors.js';

describe('Parameter Store rules for archive entries (pure)', () => {
  it('names: syntax, 1011 characters, 15 levels, reserved prefixes in any case, hierarchies start with /', () => {
    expect(nameProblems('/app/db/url')).to.deep.equal([]);
    expect(nameProblems('plain_name-1.x')).to.deep.equal([]);
    expect(nameProblems(`/${'a'.repeat(1010)}`)).to.deep.equal([]);
    expect(nameProblems(`/${'a'.repeat(1011)}`)).to.deep.equal(['Name longer than 1011 characters']);
    expect(nameProblems(`/${Array(15).fill('l').join('/')}`)).to.deep.equal([]);
    expect(nameProblems(`/${Array(16).fill('l').join('/')}`)).to.deep.equal(['Name has more than 15 levels']);
    for (const n of ['/aws/x', 'SSM-thing', '/Aws', 'awsome']) expect(nameProblems(n), n).to.include('Name starts with the reserved prefix aws or ssm');
    expect(nameProblems('a/b')).to.include('a hierarchical Name must start with /');
    expect(nameProblems('/a b')).to.include('Name has characters other than a-zA-Z0-9_.-/');
    expect(nameProblems('/a//b')).to.include('Name has an empty level');
  });

  it('fields: Type, Tier and size, DataType, AllowedPattern, Policies, Tags; problems never quote the value', () => {
    const base = { Name: '/a', Type: 'String', Value: 'v' };
    expect(parameterProblems(base)).to.deep.equal([]);
    expect(parameterProblems({ ...base, Value: 'x'.repeat(5000), Tier: 'Standard' })).to.deep.equal(['Value is 5000 bytes, over 4096 for the Standard tier']);
    expect(parameterProblems({ ...base, Value: 'x'.repeat(5000) })).to.deep.equal([]);
    expect(parameterProblems({ ...base, DataType: 'aws:ec2:image', Value: 'not-an-ami' })).to.deep.equal([
      'DataType aws:ec2:image needs a String whose value is an AMI id',
    ]);
    expect(parameterProblems({ ...base, DataType: 'json' })[0]).to.match(/^DataType json is not/);
    expect(parameterProblems({ ...base, Value: 'secret-123', AllowedPattern: '^\\d+$' })).to.deep.equal(['Value does not match AllowedPattern']);
    expect(
      parameterProblems({
        ...base,
        Tags: [
          { Key: 'a', Value: '1' },
          { Key: 'a', Value: '2' },
        ],
      }),
    ).to.deep.equal(['Tag key a given twice']);
    expect(
      parameterProblems({ ...base, Policies: [{ PolicyText: '{"Type":"Expiration","Version":"1.0","Attributes":{"Timestamp":"2030-01-01T00:00:00Z"}}' }] }),
    ).to.deep.equal([]);
    expect(parameterProblems({ ...base, Tier: 'Premium' })).to.deep.equal(['Tier Premium is not Standard, Advanced, Intelligent-Tiering']);
  });

  it('collects across an archive: shapes and duplicates on every entry, a bounded list of offenders', () => {
    const p = new ArchiveProblems(2);
    expect(p.entry({ Name: '/a', Type: 'String', Value: 'x' }, 0)).to.deep.include({ Name: '/a' });
    expect(p.entry({ Name: '/a', Type: 'String', Value: 'y' }, 1)).to.equal(undefined);
    expect(p.entry('text', 2)).to.equal(undefined);
    expect(p.entry({ Name: '/c', Value: 3 }, 3)).to.equal(undefined);
    expect(p.summary()).to.equal("3 entries break Parameter Store's rules: /a (given twice (ambiguous)), #3 null (not a JSON object), and 1 more");
  });
});

describe('errors of calls that carried a value', () => {
  it('are described by code, field and status only, whatever the service says', () => {
    const err = Object.assign(new Error("Value 'line1\nline2' at 'value' failed; at 'x' Value 'E'"), {
      name: 'ParameterPatternMismatchException',
      $metadata: { httpStatusCode: 400 },
    });
    expect(describeValueCallError(err)).to.equal('ParameterPatternMismatchException (field: Value (AllowedPattern)) [HTTP 400]');
    expect(describeValueCallError(Object.assign(new Error('boom secret'), { name: 'weird name with secret' }))).to.equal('Error');
  });
});
